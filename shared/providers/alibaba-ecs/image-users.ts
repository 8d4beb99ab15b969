import { TerminalError, isReplicationError } from '../../core/domain/errors';
import { quoteShort } from '../../core/domain/region';
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
 * Asked cheapest first; the first user found ends the asking. A failure throws, so retention
 * keeps the copy; only an account without Auto Scaling (ESS says it is not activated) has no
 * configurations to ask about.
 */
export interface ImageUseCaller {
  call(action: EcsAction | EssAction, region: string, params: Record<string, string>): Promise<unknown>;
}

/** Both ESS and the template calls page at most 50. */
const PAGE_SIZE = 50;
/** Pages read per listing at most; a region beyond that cannot be judged (far over the default quotas of 30 templates and 100 configurations). */
const MAX_PAGES = 20;
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

/** Every item of a paged listing, or an error when it goes past MAX_PAGES. */
const allPages = async <T>(read: (page: number) => Promise<{ items: readonly T[]; total: number }>, what: string): Promise<T[]> => {
  const items: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const answer = await read(page);
    items.push(...answer.items);
    // A short page is the last one, whatever TotalCount claims.
    if (answer.items.length < PAGE_SIZE || items.length >= answer.total) return items;
  }
  throw new TerminalError('TooManyToCheck', `more than ${MAX_PAGES * PAGE_SIZE} ${what} to read; the copy is kept`);
};

/** A version number as the API gives it (a number; a string in some answers), never raw text from it. */
const versionText = (version: number | string | undefined): string => (typeof version === 'number' || /^\d{1,6}$/.test(version ?? '') ? String(version) : quoteShort(version ?? '?', 12));

const paging = (page: number): Record<string, string> => ({ PageNumber: String(page), PageSize: String(PAGE_SIZE) });

const instancesUsing = async (ecs: ImageUseCaller, region: string, imageId: string): Promise<number> => {
  const body = await ecs.call('DescribeInstances', region, { ImageId: imageId, PageSize: '10' });
  return parseBody('DescribeInstances', region, instancesSchema, body).TotalCount;
};

/** `lt-1 (versions 1, 3)` for each template with a version naming the image. */
const templatesUsing = async (ecs: ImageUseCaller, region: string, imageId: string): Promise<string[]> => {
  const templates = await allPages(async (page) => {
    const parsed = parseBody('DescribeLaunchTemplates', region, templatesSchema, await ecs.call('DescribeLaunchTemplates', region, paging(page)));
    return { items: parsed.LaunchTemplateSets.LaunchTemplateSet, total: parsed.TotalCount };
  }, 'launch templates');
  const users: string[] = [];
  for (const template of templates) {
    const versions = await allPages(async (page) => {
      const body = await ecs.call('DescribeLaunchTemplateVersions', region, { LaunchTemplateId: template.LaunchTemplateId, DetailFlag: 'true', ...paging(page) });
      const parsed = parseBody('DescribeLaunchTemplateVersions', region, versionsSchema, body);
      return { items: parsed.LaunchTemplateVersionSets.LaunchTemplateVersionSet, total: parsed.TotalCount };
    }, `versions of launch template ${quoteShort(template.LaunchTemplateId)}`);
    const naming = versions.filter((version) => version.LaunchTemplateData?.ImageId === imageId).map((version) => versionText(version.VersionNumber));
    if (naming.length > 0) users.push(`launch template ${quoteShort(template.LaunchTemplateId)} (version ${naming.join(', ')})`);
  }
  return users;
};

const configurationsUsing = async (ecs: ImageUseCaller, region: string, imageId: string): Promise<string[]> => {
  let configurations;
  try {
    configurations = await allPages(async (page) => {
      const body = await ecs.call('DescribeScalingConfigurations', region, paging(page));
      const parsed = parseBody('DescribeScalingConfigurations', region, configurationsSchema, body);
      return { items: parsed.ScalingConfigurations.ScalingConfiguration, total: parsed.TotalCount };
    }, 'scaling configurations');
  } catch (error) {
    if (isReplicationError(error) && error.code === ESS_NOT_ACTIVATED) return [];
    throw error;
  }
  return configurations
    .filter((configuration) => configuration.ImageId === imageId)
    .map((configuration) => `scaling configuration ${quoteShort(configuration.ScalingConfigurationId)}${configuration.ScalingGroupId === undefined ? '' : ` of group ${quoteShort(configuration.ScalingGroupId)}`}`);
};

/** At most this many users named; the rest counted. */
const NAMED = 3;

const usedBy = (users: readonly string[]): ImageUse => ({
  state: ImageUseState.Used,
  by: users.length <= NAMED ? users.join(', ') : `${users.slice(0, NAMED).join(', ')} and ${users.length - NAMED} more`,
});

export const alibabaImageUse = async (ecs: ImageUseCaller, region: string, imageId: string): Promise<ImageUse> => {
  const instances = await instancesUsing(ecs, region, imageId);
  if (instances > 0) return usedBy([`${instances} instance${instances === 1 ? '' : 's'}`]);
  const templates = await templatesUsing(ecs, region, imageId);
  if (templates.length > 0) return usedBy(templates);
  const configurations = await configurationsUsing(ecs, region, imageId);
  return configurations.length > 0 ? usedBy(configurations) : { state: ImageUseState.Unused };
};
