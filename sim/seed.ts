import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ARCHITECTURES, BOOT_MODES, DISK_TYPES, OWNER_ALIASES, SNAPSHOT_STATUSES, SimImageStatus } from './model';
import { DEFAULT_ACCOUNT_ID } from './state';

const probability = z.number().min(0).max(1);

const actionRates = z.strictObject({
  throttle: probability.optional(),
  internalError: probability.optional(),
  serviceUnavailable: probability.optional(),
  lostAnswer: probability.optional(),
  noAnswer: probability.optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
});

const accountId = z.string().regex(/^\d{1,20}$/, 'an Alibaba Cloud account id is all digits');
const snapshotIdPattern = z.string().regex(/^s-[0-9a-z]{6,}$/);

const seedDisk = z.strictObject({
  type: z.enum(DISK_TYPES),
  sizeGiB: z.number().int().positive(),
  device: z.string().regex(/^\/dev\/xvd[a-z]$/).optional(),
  /** The id of the snapshot behind this disk, for seeds that name snapshots. */
  snapshotId: snapshotIdPattern.optional(),
});

const seedImage = z
  .strictObject({
    region: z.string().min(1),
    name: z.string().min(1),
    /** Total GiB; may be left out when `disks` are given (it is then their sum). */
    sizeGiB: z.number().int().positive().optional(),
    /** System disk first or not, exactly one system disk and up to 16 data disks; one system disk of sizeGiB when absent. */
    disks: z.array(seedDisk).min(1).max(17).optional(),
    id: z.string().regex(/^m-[0-9a-z]{6,}$/).optional(),
    description: z.string().optional(),
    status: z.enum(SimImageStatus).default(SimImageStatus.Available),
    tags: z.record(z.string(), z.string()).default({}),
    createdAt: z.iso.datetime().optional(),
    ownerAlias: z.enum(OWNER_ALIASES).default('self'),
    encrypted: z.boolean().optional(),
    kmsKeyId: z.string().min(1).optional(),
    platform: z.string().min(1).optional(),
    architecture: z.enum(ARCHITECTURES).optional(),
    bootMode: z.enum(BOOT_MODES).optional(),
    imageFamily: z.string().optional(),
    /** Accounts the image is already shared with. */
    sharedWith: z.array(accountId).optional(),
    /** Bulk seeding for pagination tests: `count` images named `name-1` … `name-N`. */
    count: z.number().int().positive().max(10_000).optional(),
  })
  .superRefine((image, ctx) => {
    if (image.sizeGiB === undefined && image.disks === undefined) {
      ctx.addIssue({ code: 'custom', path: ['sizeGiB'], message: 'give sizeGiB or disks' });
    }
    if (image.disks === undefined) return;
    const sum = image.disks.reduce((total, disk) => total + disk.sizeGiB, 0);
    if (image.sizeGiB !== undefined && image.sizeGiB !== sum) {
      ctx.addIssue({ code: 'custom', path: ['sizeGiB'], message: `sizeGiB ${image.sizeGiB} is not the sum of the disks (${sum})` });
    }
    if (image.disks.filter((disk) => disk.type === 'system').length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['disks'], message: 'an image has exactly one system disk' });
    }
    const devices = image.disks.map((disk) => disk.device).filter((d) => d !== undefined);
    if (new Set(devices).size !== devices.length) ctx.addIssue({ code: 'custom', path: ['disks'], message: 'disk devices repeat' });
    if (image.count !== undefined && image.disks.some((disk) => disk.snapshotId !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['disks'], message: 'snapshot ids cannot be given for counted images' });
    }
  })
  .transform((image) => ({ ...image, sizeGiB: image.sizeGiB ?? (image.disks ?? []).reduce((total, disk) => total + disk.sizeGiB, 0) }));

/** A snapshot the account holds on its own (not made for an image): something to CopySnapshot or CreateImage from. */
const seedSnapshot = z.strictObject({
  region: z.string().min(1),
  name: z.string().optional(),
  sizeGiB: z.number().int().positive(),
  diskType: z.enum(DISK_TYPES).default('data'),
  id: snapshotIdPattern.optional(),
  description: z.string().optional(),
  status: z.enum(SNAPSHOT_STATUSES).default('accomplished'),
  encrypted: z.boolean().optional(),
  kmsKeyId: z.string().min(1).optional(),
  tags: z.record(z.string(), z.string()).default({}),
  createdAt: z.iso.datetime().optional(),
});

/** An instance launched from a seeded image (by `image` name or `imageId`): what makes an image "in use". */
const seedInstance = z
  .strictObject({
    region: z.string().min(1),
    image: z.string().min(1).optional(),
    imageId: z.string().regex(/^m-[0-9a-z]{6,}$/).optional(),
    id: z.string().regex(/^i-[0-9a-z]{6,}$/).optional(),
    name: z.string().min(1).optional(),
    status: z.enum(['Running', 'Stopped']).default('Running'),
  })
  .refine((instance) => (instance.image === undefined) !== (instance.imageId === undefined), { message: 'give exactly one of image (a name) or imageId' });

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
    snapshots: z.array(seedSnapshot).default([]),
    instances: z.array(seedInstance).default([]),
    copy: z
      .strictObject({
        bandwidthMiBps: z.number().positive().default(25),
        overheadSeconds: z.number().min(0).default(120),
        maxConcurrentPerSourceRegion: z.number().int().positive().default(5),
        imageQuotaPerRegion: z.number().int().positive().optional(),
        /** Bandwidth of particular region pairs (either direction unless both are listed); `bandwidthMiBps` elsewhere. */
        pairs: z.array(z.strictObject({ from: z.string().min(1), to: z.string().min(1), bandwidthMiBps: z.number().positive() })).optional(),
      })
      .prefault({}),
    /** How long a CreateImage image stays Creating. */
    imageCreation: z.strictObject({ durationSeconds: z.number().min(0).default(60) }).prefault({}),
    /** The simulated account's own id (sharing to it is refused). */
    accountId: accountId.default(DEFAULT_ACCOUNT_ID),
    /** When given, the only other accounts that exist (sharing to others answers InvalidAccount.NotFound). */
    otherAccounts: z.array(accountId).optional(),
    /** Where the documentation allows two behaviours, which one to show. */
    quirks: z
      .strictObject({
        /** DeleteImage of a missing image: ignored (documented) or 404 InvalidImageId.NotFound (also documented). */
        deleteMissingImage: z.enum(['ignore', 'notFound']).default('ignore'),
        /** DeleteSnapshot of a missing snapshot: ignored (documented) or 404 InvalidSnapshotId.NotFound (also documented). */
        deleteMissingSnapshot: z.enum(['ignore', 'notFound']).default('ignore'),
        /** DeleteImage and the image's own snapshots: `keep` is documented; `withImage` is the original simulator default. */
        imageSnapshotsOnDelete: z.enum(['withImage', 'keep']).default('withImage'),
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
    const checkRegion = (path: Array<string | number>, region: string): void => {
      if (!known.has(region)) ctx.addIssue({ code: 'custom', path, message: `unknown region "${region}" (not in regions)` });
    };
    seed.images.forEach((image, index) => checkRegion(['images', index, 'region'], image.region));
    seed.snapshots.forEach((snapshot, index) => checkRegion(['snapshots', index, 'region'], snapshot.region));
    (seed.copy.pairs ?? []).forEach((pair, index) => {
      checkRegion(['copy', 'pairs', index, 'from'], pair.from);
      checkRegion(['copy', 'pairs', index, 'to'], pair.to);
    });
    const names = new Set(
      seed.images.flatMap((image) =>
        image.count === undefined ? [`${image.region}\n${image.name}`] : Array.from({ length: image.count }, (_, i) => `${image.region}\n${image.name}-${i + 1}`),
      ),
    );
    const ids = new Set(seed.images.map((image) => (image.id === undefined ? '' : `${image.region}\n${image.id}`)));
    seed.instances.forEach((instance, index) => {
      checkRegion(['instances', index, 'region'], instance.region);
      if (instance.image !== undefined && !names.has(`${instance.region}\n${instance.image}`)) {
        ctx.addIssue({ code: 'custom', path: ['instances', index, 'image'], message: `no seeded image "${instance.image}" in ${instance.region}` });
      }
      if (instance.imageId !== undefined && !ids.has(`${instance.region}\n${instance.imageId}`)) {
        ctx.addIssue({ code: 'custom', path: ['instances', index, 'imageId'], message: `no seeded image ${instance.imageId} in ${instance.region}` });
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
