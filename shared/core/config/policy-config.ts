import { namePatternProblem } from '../domain/name-pattern';
import { parseTemplate } from '../domain/name-template';
import { RegionId } from '../domain/region';
import { DEFAULT_ACCOUNT, PROVIDER_IDS, ProviderId } from '../domain/provider';
import { DigestConfig, StatusPageConfig, Webhook as WebhookSchema } from '../notifications/webhook-config';
import {
  DEFAULT_COPY_TIMEOUT_SECONDS,
  DEFAULT_MAX_CONCURRENT_COPIES_PER_REGION,
  DEFAULT_MAX_COPY_ATTEMPTS,
} from '../domain/retry-policy';
import * as z from '../zod';

/**
 * The replication policy file: which images go where, how, and who hears about it.
 * Validated once at start; unknown keys are rejected so a typo never silently does nothing.
 */
const regionId = RegionId;

const tags = z.record(z.string().check(z.minLength(1), z.maxLength(128)), z.string().check(z.maxLength(128))).check(
  z.superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      if (/^(aliyun|acs:)/i.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'tag keys cannot start with aliyun or acs:' });
    }
  }),
);

/** A copy that runs longer than a month is not running. */
const MAX_DURATION_SECONDS = 30 * 86400;
const seconds = z.number().check(z.int(), z.positive(), z.lte(MAX_DURATION_SECONDS, 'at most 30 days'));
/** `30m`, `6h`, `1d` or a number of seconds; between 1 s and 30 days. */
const duration = z.union([
  seconds,
  z.pipe(
    z.pipe(
      z.string().check(z.regex(/^\d{1,9}\s*[smhd]$/, 'expected a duration such as 90s, 30m, 6h or 1d')),
      z.transform((text) => {
        const value = Number.parseInt(text, 10);
        const unit = text.trim().slice(-1);
        return value * { s: 1, m: 60, h: 3600, d: 86400 }[unit as 's' | 'm' | 'h' | 'd'];
      }),
    ),
    seconds,
  ),
]);

/** Placeholders {sourceName} {sourceId} {sourceRegion} {destinationRegion} {policy}, optionally cut: {sourceName:100}. */
const template = z.string().check(
  z.minLength(2),
  z.maxLength(256),
  z.superRefine((text, ctx) => {
    const parsed = parseTemplate(text);
    if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
  }),
);

/** An account alias: which credential set a policy copies with. */
const accountName = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes (at most 32)'));

/** An account to share with: its id as the provider writes it (checked per provider). */
const accountId = z.pipe(
  z.unknown(),
  z.transform((value, ctx): string => {
    // YAML reads 1234567890123456 as a number, and a long one loses digits on the way: refused, with the fix.
    if (typeof value === 'number') {
      ctx.addIssue({ code: 'custom', message: 'write account ids in quotes ("1234567890123456"): unquoted, YAML reads them as numbers and long ones lose digits' });
      return z.NEVER;
    }
    if (typeof value !== 'string' || !/^[A-Za-z0-9]{6,64}$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'an account id (letters and digits)' });
      return z.NEVER;
    }
    return value;
  }),
);

/**
 * Which copies to keep. Copies are grouped by the source's image family (or by name prefix); per
 * group the copies of the newest `keepNewest` versions are kept (newest by when the source was
 * made, so an old version's late copy does not push out a newer one), and any copy younger than
 * `keepFor`; the newest copy of a group is never deleted, nor one in use. Only copies carrying our
 * managed tag are touched.
 */
const Retention = z.strictObject({
  keepNewest: z.optional(z.number().check(z.int(), z.gte(1, 'keep at least the newest copy'), z.lte(1000))),
  keepFor: z.optional(duration),
  groupBy: z._default(z.enum(['family', 'name-prefix']), 'family'),
  /** With groupBy name-prefix: copies whose source name starts with one of these form a group each. */
  namePrefixes: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(128))).check(z.maxLength(50))),
  /** Mark deprecated first, delete this long after. */
  deprecateFor: z.optional(duration),
}).check(
  z.refine((r) => r.keepNewest !== undefined || r.keepFor !== undefined, 'say what to keep: keepNewest, keepFor or both'),
  z.refine((r) => r.groupBy !== 'name-prefix' || (r.namePrefixes?.length ?? 0) > 0, 'groupBy name-prefix needs namePrefixes'),
);

const Destination = z.strictObject({
  region: regionId,
  /** Name of the copy; placeholders {sourceName} {sourceId} {sourceRegion} {destinationRegion} {policy}. */
  name: z._default(template, '{sourceName}'),
  description: z.optional(template),
  encryption: z.optional(
    z
      .strictObject({ enabled: z.boolean(), kmsKeyId: z.optional(z.string().check(z.minLength(1))) })
      .check(z.refine((e) => e.enabled || e.kmsKeyId === undefined, 'kmsKeyId needs enabled: true')),
  ),
  tags: z._default(tags, {}),
  /** Share the copy with these accounts once it is available (at most 50). */
  shareWith: z._default(z.array(accountId).check(z.maxLength(50, 'at most 50 accounts per image')), []),
  /** Copy the source's tags too (ours win on conflict; some keys can be left out). */
  copyTags: z._default(z.union([z.boolean(), z.strictObject({ exclude: z.array(z.string().check(z.minLength(1))).check(z.maxLength(50)) })]), false),
  /** Give the copy the source's image family, so "the newest of a family" is the same everywhere. */
  copyFamily: z._default(z.boolean(), false),
  /** Overrides the policy's retention for this destination. */
  retention: z.optional(Retention),
}).check(
  z.superRefine((destination, ctx) => {
    if (new Set(destination.shareWith).size !== destination.shareWith.length) {
      ctx.addIssue({ code: 'custom', path: ['shareWith'], message: 'an account is listed twice' });
    }
  }),
);

const Selection = z.strictObject({
  imageIds: z.optional(z.array(z.string().check(z.minLength(3))).check(z.minLength(1))),
  tags: z.optional(tags),
  /** A regular expression on the image name, RE2 syntax (matched in linear time; no look-around or back-references). */
  namePattern: z.optional(
    z.string().check(
      z.maxLength(512),
      z.superRefine((pattern, ctx) => {
        const problem = namePatternProblem(pattern);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `not a valid RE2 regular expression: ${problem}` });
      }),
    ),
  ),
}).check(
  z.refine(
    (s) => s.imageIds !== undefined || s.tags !== undefined || s.namePattern !== undefined,
    'select images by at least one of imageIds, tags or namePattern',
  ),
);

const Policy = z.strictObject({
  name: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes')),
  /** Which cloud the images live in; the copies stay in the same cloud and account. */
  provider: z._default(z.enum(PROVIDER_IDS as [ProviderId, ...ProviderId[]]), ProviderId.Alibaba),
  /** Which of the provider's credential sets to use (see the deploy guide); `default` is the function's own. */
  account: z._default(accountName, DEFAULT_ACCOUNT),
  source: z.strictObject({ region: regionId, select: Selection }),
  destinations: z.array(Destination).check(z.minLength(1)),
  /** Huawei only: the IAM agency IMS uses to write into the destination region (validated per provider). */
  huawei: z.optional(z.strictObject({ agencyName: z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'an IAM agency name such as ims_admin_agency')) })),
  /**
   * Copies may be made from a finished copy of the same image in another region instead of the
   * source (faster fan-out: a provider that runs one copy of an image at a time runs one per
   * replica). The result is the same image: name, tags, encryption. Off: from the source only.
   */
  relay: z._default(z.boolean(), true),
  /** Share the source image itself, in its own region, with these accounts: no copy. */
  shareInSourceRegion: z._default(z.array(accountId).check(z.maxLength(50, 'at most 50 accounts per image')), []),
  retention: z.optional(Retention),
  copyTimeout: z._default(duration, DEFAULT_COPY_TIMEOUT_SECONDS),
  maxAttempts: z._default(z.number().check(z.int(), z.gte(1), z.lte(10)), DEFAULT_MAX_COPY_ATTEMPTS),
  webhooks: z._default(z.array(WebhookSchema), []),
}).check(
  z.superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.destinations.forEach((destination, index) => {
      if (destination.region === policy.source.region) {
        ctx.addIssue({ code: 'custom', path: ['destinations', index, 'region'], message: 'the destination is the source region' });
      }
      if (seen.has(destination.region)) {
        ctx.addIssue({ code: 'custom', path: ['destinations', index, 'region'], message: `${destination.region} is listed twice` });
      }
      seen.add(destination.region);
    });
    if (new Set(policy.shareInSourceRegion).size !== policy.shareInSourceRegion.length) {
      ctx.addIssue({ code: 'custom', path: ['shareInSourceRegion'], message: 'an account is listed twice' });
    }
  }),
);

export const PolicyConfig = z.strictObject({
  version: z.literal(1),
  /** Alibaba runs at most five copies per region and queues the rest; we never ask for more. */
  maxConcurrentCopiesPerRegion: z._default(z.number().check(z.int(), z.gte(1), z.lte(5)), DEFAULT_MAX_CONCURRENT_COPIES_PER_REGION),
  policies: z.array(Policy).check(z.minLength(1)),
  /** Huawei Cloud: the project id of each region the policies use (IAM's project list shows them). */
  huaweiProjects: z._default(z.record(regionId, z.string().check(z.regex(/^[a-f0-9]{32}$/, 'a 32-character project id'))), {}),
  /**
   * What a GiB of copy storage costs a month, per provider, for `plan`'s estimate: a default and
   * per-region prices. The built-in defaults and their sources are in docs/costs.md.
   */
  prices: z._default(
    z.partialRecord(
      z.enum(PROVIDER_IDS as [ProviderId, ...ProviderId[]]),
      z.strictObject({
        currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'a currency code such as USD')),
        perGiBMonth: z.number().check(z.nonnegative('a price cannot be negative')),
        regions: z._default(z.record(regionId, z.number().check(z.nonnegative('a price cannot be negative'))), {}),
      }),
    ),
    {},
  ),
  /** Regions the product does not know yet (newer than its region list), accepted as they are. */
  extraRegions: z._default(z.array(regionId).check(z.maxLength(50)), []),
  /** The status page, linked from chat messages; absent, messages carry no link. */
  statusPage: z.optional(StatusPageConfig),
  /** When chat digests go out (webhooks with `digest:`). */
  digest: z.prefault(DigestConfig, {}),
}).check(
  z.superRefine((config, ctx) => {
    const names = new Set<string>();
    config.policies.forEach((policy, index) => {
      if (names.has(policy.name)) ctx.addIssue({ code: 'custom', path: ['policies', index, 'name'], message: 'duplicate policy name' });
      names.add(policy.name);
    });
  }),
);

export type PolicyConfig = z.infer<typeof PolicyConfig>;
export type Policy = PolicyConfig['policies'][number];
export type Destination = Policy['destinations'][number];
export type Webhook = Policy['webhooks'][number];
export type Selection = Policy['source']['select'];
