import { isReplicationError } from '../../core/domain/errors';
import { quoteShort } from '../../core/domain/region';
import { type ListingPage, readWholeListing } from '../../core/domain/whole-listing';
import { type ImageUse, ImageUseState } from '../../core/ports/copy-provider';
import { type EcsAction, type EssAction, parseBody } from './image-cloud';
import * as z from '../../core/zod';

/**
 * Who would lose an image if retention deleted it, in its region:
 *   - instances running from it (DescribeInstances by ImageId);
 *   - launch-template versions naming it: any version may be launched or pinned by a scaling
 *     group, and the versions call needs a template, so every template's versions are read;
 *   - Auto Scaling configurations naming it (ESS DescribeScalingConfigurations over the whole
 *     region: it has no image filter). A scaling group launching from a template is covered by
 *     the template. An inactive configuration counts: activating it would launch the image.
 * Asked cheapest first; the first user found ends the asking. Every listing is read whole, or not
 * judged (whole-listing.ts). A failure throws, so retention keeps the copy; only an account
 * without Auto Scaling (ESS's first answer says it is not activated) has no configurations to ask about.
 */
export interface ImageUseCaller {
  call(action: EcsAction | EssAction, region: string, params: Record<string, string>): Promise<unknown>;
}

/** Both ESS and the template calls page at most 50. */
const PAGE_SIZE = 50;
/** Pages read per listing at most; a region beyond that cannot be judged (far over the default quotas of 30 templates and 100 configurations). */
const MAX_PAGES = 20;
/** A template holds at most 30 versions: two pages are room to spare, and bound the calls per template. */
const MAX_VERSION_PAGES = 2;
/** Users named in a reason, and versions named per template; the rest are counted. */
const NAMED = 3;
/** ESS's answer for an account where Auto Scaling was never activated: there is nothing to launch from. */
const ESS_NOT_ACTIVATED = 'Forbidden.Unsubscribed';

const count = z.number().check(z.int(), z.nonnegative());
const instancesSchema = z.object({ TotalCount: count });
const templatesSchema = z.object({
  TotalCount: count,
  LaunchTemplateSets: z.object({ LaunchTemplateSet: z.array(z.looseObject({ LaunchTemplateId: z.string().check(z.minLength(1)), LaunchTemplateName: z.optional(z.string()) })) }),
});
const versionsSchema = z.object({
  TotalCount: count,
  LaunchTemplateVersionSets: z.object({
    LaunchTemplateVersionSet: z.array(
      z.looseObject({
        VersionNumber: z.optional(z.union([z.number(), z.string()])),
        LaunchTemplateData: z.optional(z.looseObject({ ImageId: z.optional(z.string()) })),
      }),
    ),
  }),
});
const configurationsSchema = z.object({
  TotalCount: count,
  ScalingConfigurations: z.object({
    ScalingConfiguration: z.array(
      z.looseObject({
        ScalingConfigurationId: z.string().check(z.minLength(1)),
        ScalingGroupId: z.optional(z.string()),
        ImageId: z.optional(z.string()),
      }),
    ),
  }),
});

/** A version number as the API gives it (a number; a string in some answers), never raw text from it. */
const versionText = (version: number | string | undefined): string => (typeof version === 'number' || /^\d{1,6}$/.test(version ?? '') ? String(version) : quoteShort(version ?? '?', 12));

const paging = (page: number): Record<string, string> => ({ PageNumber: String(page), PageSize: String(PAGE_SIZE) });

const instancesUsing = async (ecs: ImageUseCaller, region: string, imageId: string): Promise<number> => {
  const body = await ecs.call('DescribeInstances', region, { ImageId: imageId, PageSize: '10' });
  return parseBody('DescribeInstances', region, instancesSchema, body).TotalCount;
};

/** `first, second, third and 2 more`. */
const named = (names: readonly string[]): string => (names.length <= NAMED ? names.join(', ') : `${names.slice(0, NAMED).join(', ')} and ${names.length - NAMED} more`);

/** `launch template "lt-1" (version 1, 3)` for each template with a version naming the image. */
const templatesUsing = async (ecs: ImageUseCaller, region: string, imageId: string): Promise<string[]> => {
  const templates = await readWholeListing({
    pageSize: PAGE_SIZE,
    maxPages: MAX_PAGES,
    what: `launch templates in ${region}`,
    read: async ({ index }) => {
      const parsed = parseBody('DescribeLaunchTemplates', region, templatesSchema, await ecs.call('DescribeLaunchTemplates', region, paging(index)));
      return { items: parsed.LaunchTemplateSets.LaunchTemplateSet, total: parsed.TotalCount };
    },
  });
  const users: string[] = [];
  for (const template of templates) {
    const versions = await readWholeListing({
      pageSize: PAGE_SIZE,
      maxPages: MAX_VERSION_PAGES,
      what: `versions of launch template ${quoteShort(template.LaunchTemplateId)}`,
      read: async ({ index }) => {
        const body = await ecs.call('DescribeLaunchTemplateVersions', region, { LaunchTemplateId: template.LaunchTemplateId, DetailFlag: 'true', ...paging(index) });
        const parsed = parseBody('DescribeLaunchTemplateVersions', region, versionsSchema, body);
        return { items: parsed.LaunchTemplateVersionSets.LaunchTemplateVersionSet, total: parsed.TotalCount };
      },
    });
    const naming = versions.filter((version) => version.LaunchTemplateData?.ImageId === imageId).map((version) => versionText(version.VersionNumber));
    if (naming.length > 0) users.push(`launch template ${quoteShort(template.LaunchTemplateId)} (version ${named(naming)})`);
  }
  return users;
};

type Configuration = z.infer<typeof configurationsSchema>['ScalingConfigurations']['ScalingConfiguration'][number];

const configurationsUsing = async (ecs: ImageUseCaller, region: string, imageId: string): Promise<string[]> => {
  const configurations = await readWholeListing({
    pageSize: PAGE_SIZE,
    maxPages: MAX_PAGES,
    what: `scaling configurations in ${region}`,
    read: async ({ index }): Promise<ListingPage<Configuration>> => {
      let body;
      try {
        body = await ecs.call('DescribeScalingConfigurations', region, paging(index));
      } catch (error) {
        // Only a first answer says the account has no Auto Scaling; later in a listing it is a failure like any other.
        if (index === 1 && isReplicationError(error) && error.code === ESS_NOT_ACTIVATED) return { items: [], total: 0 };
        throw error;
      }
      const parsed = parseBody('DescribeScalingConfigurations', region, configurationsSchema, body);
      return { items: parsed.ScalingConfigurations.ScalingConfiguration, total: parsed.TotalCount };
    },
  });
  return configurations
    .filter((configuration) => configuration.ImageId === imageId)
    .map((configuration) => `scaling configuration ${quoteShort(configuration.ScalingConfigurationId)}${configuration.ScalingGroupId === undefined ? '' : ` of group ${quoteShort(configuration.ScalingGroupId)}`}`);
};

const usedBy = (users: readonly string[]): ImageUse => ({ state: ImageUseState.Used, by: named(users) });

export const alibabaImageUse = async (ecs: ImageUseCaller, region: string, imageId: string): Promise<ImageUse> => {
  const instances = await instancesUsing(ecs, region, imageId);
  if (instances > 0) return usedBy([`${instances} instance${instances === 1 ? '' : 's'}`]);
  const templates = await templatesUsing(ecs, region, imageId);
  if (templates.length > 0) return usedBy(templates);
  const configurations = await configurationsUsing(ecs, region, imageId);
  return configurations.length > 0 ? usedBy(configurations) : { state: ImageUseState.Unused };
};
