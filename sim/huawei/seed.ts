import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { IMS_IMAGE_STATUSES, IMS_IMAGE_TYPES, ImsImageStatus, ImsImageType } from './model';

const probability = z.number().min(0).max(1);
const regionId = z.string().regex(/^[a-z]{2}-[a-z]{2,20}-[0-9]{1,3}$/, 'not a region id like cn-north-4');
const projectId = z.string().regex(/^[0-9a-f]{32}$/, 'a project id is 32 hexadecimal characters');
const imageId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'an image id is a UUID');

/** Same rate shape as the ECS simulator's, keyed by IMS operation name (ListImages, CopyImageCrossRegion, …). */
const actionRates = z.strictObject({
  throttle: probability.optional(),
  internalError: probability.optional(),
  serviceUnavailable: probability.optional(),
  lostAnswer: probability.optional(),
  noAnswer: probability.optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
});

/** A project id per region that is stable across runs when the seed gives none. */
const derivedProjectId = (region: string): string => createHash('md5').update(`sim-project:${region}`).digest('hex');

const region = z.union([
  regionId.transform((id) => ({ id, projectId: derivedProjectId(id) })),
  z.strictObject({ id: regionId, projectId: projectId.optional() }).transform((r) => ({ id: r.id, projectId: r.projectId ?? derivedProjectId(r.id) })),
]);

const seedImage = z.strictObject({
  region: regionId,
  name: z.string().min(1).max(128),
  id: imageId.optional(),
  /** Size of the image file. */
  sizeGiB: z.number().positive().max(4096),
  /** Minimum system disk; defaults to the size rounded up, at least 40 (the IMS minimum). */
  minDiskGiB: z.number().int().min(1).max(4096).optional(),
  description: z.string().max(1024).optional(),
  status: z.enum(IMS_IMAGE_STATUSES).default(ImsImageStatus.Active),
  imageType: z.enum(IMS_IMAGE_TYPES).default(ImsImageType.Private),
  tags: z.record(z.string(), z.string()).default({}),
  encrypted: z.boolean().default(false),
  osType: z.string().default('Linux'),
  platform: z.string().default('Ubuntu'),
  createdAt: z.iso.datetime().optional(),
  /** Bulk seeding for paging tests: `count` images named `name-1` … `name-N`. */
  count: z.number().int().positive().max(10_000).optional(),
});

/** The Huawei IMS simulator's world: the tenant's regions and projects, its images, how copies behave, which faults happen. */
export const imsSeedSchema = z
  .strictObject({
    credentials: z
      .array(z.strictObject({ accessKeyId: z.string().min(1), accessKeySecret: z.string().min(1), securityToken: z.string().min(1).optional() }))
      .min(1)
      .default([{ accessKeyId: 'HWSIMTESTAK0000000001', accessKeySecret: 'hw-sim-test-secret' }]),
    regions: z.array(region).min(2).prefault(['cn-north-4', 'cn-east-3', 'ap-southeast-1']),
    images: z.array(seedImage).default([]),
    copy: z
      .strictObject({
        bandwidthMiBps: z.number().positive().default(50),
        /** Per region pair, where the seed says so (a far pair is slower). */
        pairBandwidthMiBps: z.array(z.strictObject({ from: regionId, to: regionId, bandwidthMiBps: z.number().positive() })).default([]),
        overheadSeconds: z.number().min(0).default(300),
        /** How long a job stays INIT before it runs. */
        initSeconds: z.number().min(0).default(30),
        maxRunningPerTenant: z.number().int().positive().default(5),
        sizeCapGiB: z.number().positive().default(128),
        largeSizeCapGiB: z.number().positive().default(300),
        largeCapRegions: z.array(regionId).default(['cn-south-1', 'cn-east-3', 'cn-east-2', 'cn-north-4']),
        /** error_code of a copy that fails part-way. */
        failureErrorCode: z.string().default('IMG.0014'),
        /** Probability that an accepted copy never ends. */
        stallProbability: probability.default(0),
        /** Private images a region may hold (a copy counts when it is accepted); no limit when absent. */
        imageQuotaPerRegion: z.number().int().positive().optional(),
      })
      .prefault({}),
    agency: z
      .strictObject({
        /** null: the tenant has no agency at all. */
        name: z.string().min(1).nullable().default('ims_admin_agency'),
        /** Destination regions where the agency holds IMS Administrator; all when absent. */
        permittedRegions: z.array(regionId).optional(),
      })
      .prefault({}),
    quirks: z
      .strictObject({
        failedCopyImage: z.enum(['killed', 'removed']).default('killed'),
        imageIdWhileRunning: z.boolean().default(false),
        deletedLingerSeconds: z.number().min(0).default(30),
      })
      .prefault({}),
    /** Requests dated further than this from the wall clock are refused by the gateway. */
    maxClockSkewSeconds: z.number().positive().default(15 * 60),
    /** Virtual seconds per wall second when no clock is injected. */
    speed: z.number().positive().default(1),
    startTime: z.iso.datetime().optional(),
    randomSeed: z.number().int().default(1),
    faults: z
      .strictObject({
        actions: z.record(z.string(), actionRates).default({}),
        copyFailureProbability: probability.default(0),
      })
      .prefault({}),
  })
  .superRefine((seed, ctx) => {
    const known = new Set(seed.regions.map((r) => r.id));
    if (known.size !== seed.regions.length) ctx.addIssue({ code: 'custom', path: ['regions'], message: 'a region is listed twice' });
    const unknown = (path: (string | number)[], id: string) => {
      if (!known.has(id)) ctx.addIssue({ code: 'custom', path, message: `unknown region "${id}" (not in regions)` });
    };
    seed.images.forEach((image, index) => unknown(['images', index, 'region'], image.region));
    seed.copy.pairBandwidthMiBps.forEach((pair, index) => {
      unknown(['copy', 'pairBandwidthMiBps', index, 'from'], pair.from);
      unknown(['copy', 'pairBandwidthMiBps', index, 'to'], pair.to);
    });
    seed.agency.permittedRegions?.forEach((id, index) => unknown(['agency', 'permittedRegions', index], id));
  });

export type ImsSeedInput = z.input<typeof imsSeedSchema>;
export type ImsSeed = z.output<typeof imsSeedSchema>;

export class ImsSeedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImsSeedError';
  }
}

export const parseImsSeed = (input: unknown, source = '(in-process)'): ImsSeed => {
  const result = imsSeedSchema.safeParse(input ?? {});
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ImsSeedError(`invalid IMS simulator seed ${source}: ${issues}`, { cause: result.error });
  }
  return result.data;
};

/** Reads a YAML or JSON seed file and validates it; errors name the file and the field. */
export const loadImsSeedFile = async (path: string): Promise<ImsSeed> => {
  let document: unknown;
  try {
    document = parseYaml(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ImsSeedError(`cannot read IMS simulator seed ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseImsSeed(document, path);
};
