import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { OWNER_ALIASES, SimImageStatus } from './model';

const probability = z.number().min(0).max(1);

const actionRates = z.strictObject({
  throttle: probability.optional(),
  internalError: probability.optional(),
  serviceUnavailable: probability.optional(),
  lostAnswer: probability.optional(),
  noAnswer: probability.optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
});

const seedImage = z.strictObject({
  region: z.string().min(1),
  name: z.string().min(1),
  sizeGiB: z.number().int().positive(),
  id: z.string().regex(/^m-[0-9a-z]{6,}$/).optional(),
  description: z.string().optional(),
  status: z.enum(SimImageStatus).default(SimImageStatus.Available),
  tags: z.record(z.string(), z.string()).default({}),
  createdAt: z.iso.datetime().optional(),
  ownerAlias: z.enum(OWNER_ALIASES).default('self'),
  encrypted: z.boolean().optional(),
  /** Bulk seeding for pagination tests: `count` images named `name-1` … `name-N`. */
  count: z.number().int().positive().max(10_000).optional(),
});

const region = z.union([
  z.string().min(1).transform((id) => ({ id, localName: id })),
  z.strictObject({ id: z.string().min(1), localName: z.string().optional() }).transform((r) => ({ id: r.id, localName: r.localName ?? r.id })),
]);

/** The simulator's world: who may call it, which regions and images exist, how copies behave, which faults happen. */
export const simSeedSchema = z
  .strictObject({
    credentials: z
      .array(
        z.strictObject({
          accessKeyId: z.string().min(1),
          accessKeySecret: z.string().min(1),
          securityToken: z.string().min(1).optional(),
        }),
      )
      .min(1)
      .default([{ accessKeyId: 'LTAI-sim-test', accessKeySecret: 'sim-test-secret' }]),
    regions: z.array(region).min(1).prefault(['cn-hangzhou', 'cn-shanghai', 'cn-beijing']),
    images: z.array(seedImage).default([]),
    copy: z
      .strictObject({
        bandwidthMiBps: z.number().positive().default(25),
        overheadSeconds: z.number().min(0).default(120),
        maxConcurrentPerSourceRegion: z.number().int().positive().default(5),
        imageQuotaPerRegion: z.number().int().positive().optional(),
      })
      .prefault({}),
    /** Where the documentation allows two behaviours, which one to show. */
    quirks: z
      .strictObject({
        /** DeleteImage of a missing image: ignored (documented) or 404 InvalidImageId.NotFound (also documented). */
        deleteMissingImage: z.enum(['ignore', 'notFound']).default('ignore'),
      })
      .prefault({}),
    /** Virtual seconds per wall second when no clock is injected. */
    speed: z.number().positive().default(1),
    /** Where virtual time starts; now when absent. */
    startTime: z.iso.datetime().optional(),
    /** Seed of the generator behind ids and random faults. */
    randomSeed: z.number().int().default(1),
    faults: z
      .strictObject({
        actions: z.record(z.string(), actionRates).default({}),
        copyFailureProbability: probability.default(0),
        throttleRetryAfterMs: z.number().int().min(0).optional(),
      })
      .prefault({}),
  })
  .superRefine((seed, ctx) => {
    const known = new Set(seed.regions.map((r) => r.id));
    seed.images.forEach((image, index) => {
      if (!known.has(image.region)) {
        ctx.addIssue({ code: 'custom', path: ['images', index, 'region'], message: `unknown region "${image.region}" (not in regions)` });
      }
    });
  });

export type SimSeedInput = z.input<typeof simSeedSchema>;
export type SimSeed = z.output<typeof simSeedSchema>;

export class SimSeedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimSeedError';
  }
}

const describeIssues = (source: string, error: z.ZodError): string =>
  `invalid simulator seed ${source}: ${error.issues
    .map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`)
    .join('; ')}`;

export const parseSeed = (input: unknown, source = '(in-process)'): SimSeed => {
  const result = simSeedSchema.safeParse(input ?? {});
  if (!result.success) throw new SimSeedError(describeIssues(source, result.error), { cause: result.error });
  return result.data;
};

/** Reads a YAML or JSON seed file (JSON is YAML) and validates it; errors name the file and the field. */
export const loadSeedFile = async (path: string): Promise<SimSeed> => {
  let document: unknown;
  try {
    document = parseYaml(await readFile(path, 'utf8'));
  } catch (error) {
    throw new SimSeedError(`cannot read simulator seed ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseSeed(document, path);
};
