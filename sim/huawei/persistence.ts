import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { SimStateFileError } from '../persistence';
import { settleJobs } from './copy-jobs';
import { IMS_IMAGE_STATUSES, IMS_IMAGE_TYPES, ImsJobStatus, type SimImsImage, type SimJob } from './model';
import type { ImsSimState } from './state';

/**
 * The IMS simulator's world on disk, like the ECS simulator's (sim/persistence.ts): everything a
 * restarted simulator needs to answer as before — images, jobs, the copy history that proves
 * exactly-once, the generator position that issues ids, the clock. Credentials, faults, skew and
 * speed are not world: they come from the seed of each run.
 */
const FORMAT = 'image-replicator/ims-simulator-state';
const VERSION = 1;

const ms = z.number().int();

const imageRecord = z.strictObject({
  id: z.string().min(1),
  region: z.string().min(1),
  owner: z.string().min(1),
  name: z.string(),
  description: z.string(),
  status: z.enum(IMS_IMAGE_STATUSES),
  imageType: z.enum(IMS_IMAGE_TYPES),
  sizeBytes: z.number().int().nonnegative(),
  minDiskGiB: z.number().int().nonnegative(),
  /** Pairs, because IMS lists tags in the order they were added. */
  tags: z.array(z.tuple([z.string(), z.string()])),
  cmkId: z.string().optional(),
  osType: z.string(),
  platform: z.string(),
  createdAt: ms,
  updatedAt: ms,
  activeAt: ms.optional(),
  originalImageId: z.string().optional(),
  copyJobId: z.string().optional(),
  deletedAt: ms.optional(),
  members: z.array(z.string()),
});

const jobRecord = z.strictObject({
  id: z.string().min(1),
  type: z.string().min(1),
  region: z.string().min(1),
  projectId: z.string().min(1),
  submittedAt: ms,
  status: z.enum(ImsJobStatus),
  finishedAt: ms.optional(),
  errorCode: z.string().optional(),
  failReason: z.string().optional(),
  copy: z
    .strictObject({
      sourceImageId: z.string(),
      destinationRegion: z.string(),
      destinationImageId: z.string(),
      name: z.string(),
      startsAt: ms,
      durationMs: ms,
      failsAtFraction: z.number().optional(),
      stalledAt: ms.optional(),
    })
    .optional(),
});

const worldSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  /** Virtual time of the save, for people reading the file. */
  savedAt: z.string(),
  clockMs: ms,
  randomState: z.number().int().nonnegative(),
  regions: z.array(z.strictObject({ id: z.string().min(1), projectId: z.string().min(1) })).min(2),
  copySettings: z.strictObject({
    bandwidthMiBps: z.number().positive(),
    pairBandwidthMiBps: z.array(z.strictObject({ from: z.string(), to: z.string(), bandwidthMiBps: z.number().positive() })),
    overheadSeconds: z.number().min(0),
    initSeconds: z.number().min(0),
    maxRunningPerTenant: z.number().int().positive(),
    sizeCapGiB: z.number().positive(),
    largeSizeCapGiB: z.number().positive(),
    largeCapRegions: z.array(z.string()),
    failureErrorCode: z.string(),
    stallProbability: z.number().min(0).max(1),
    imageQuotaPerRegion: z.number().int().positive().optional(),
  }),
  agency: z.strictObject({ name: z.string().optional(), permittedRegions: z.array(z.string()).optional() }),
  quirks: z.strictObject({
    failedCopyImage: z.enum(['killed', 'removed']),
    imageIdWhileRunning: z.boolean(),
    deletedLingerSeconds: z.number().min(0),
  }),
  /** Failures and stalls a test scripted and no copy has taken yet. */
  scripted: z.strictObject({ failures: z.number().int().nonnegative(), stalls: z.number().int().nonnegative() }),
  images: z.array(imageRecord),
  jobs: z.array(jobRecord),
  /** Absent in files saved before servers were simulated. */
  servers: z.array(z.strictObject({ id: z.string().min(1), region: z.string().min(1), name: z.string(), imageId: z.string() })).default([]),
  /** Absent in files saved before AS configurations were simulated. */
  scalingConfigs: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        region: z.string().min(1),
        groupId: z.string().optional(),
        imageRef: z.string().optional(),
        dataDiskImageIds: z.array(z.string()),
        createdAt: ms,
      }),
    )
    .default([]),
  copyRecords: z.array(
    z.strictObject({
      destinationRegion: z.string(),
      name: z.string(),
      imageId: z.string(),
      jobId: z.string(),
      sourceImageId: z.string(),
      createdAt: ms,
    }),
  ),
});

/** The whole simulated tenant as it is written to disk. */
export type ImsWorld = z.output<typeof worldSchema>;

const imageOf = (record: ImsWorld['images'][number]): SimImsImage => ({ ...record, tags: new Map(record.tags), members: new Set(record.members) });

/** Everything a restarted simulator needs, as of the clock's now (jobs settled first). */
export const captureImsWorld = (state: ImsSimState): ImsWorld => {
  settleJobs(state);
  const clockMs = state.nowMs();
  return {
    format: FORMAT,
    version: VERSION,
    savedAt: new Date(clockMs).toISOString(),
    clockMs,
    randomState: state.random.state,
    regions: [...state.regions.values()].map((region) => ({ ...region })),
    copySettings: structuredClone(state.copySettings) as ImsWorld['copySettings'],
    agency: structuredClone(state.agency) as ImsWorld['agency'],
    quirks: { ...state.quirks },
    scripted: { failures: state.scriptedFailures, stalls: state.scriptedStalls },
    images: [...state.images.values()].map((image) => ({ ...structuredClone(image), tags: [...image.tags], members: [...image.members] })),
    jobs: [...state.jobs.values()].map((job): SimJob => structuredClone(job)),
    servers: [...state.servers.values()].map((server) => ({ ...server })),
    scalingConfigs: [...state.scalingConfigs.values()].map((config) => ({ ...config, dataDiskImageIds: [...config.dataDiskImageIds] })),
    copyRecords: state.copyRecords.map((record) => ({ ...record })),
  };
};

/** Fills an empty state (built from the world's own regions and settings) with the world's records. */
export const applyImsWorld = (state: ImsSimState, world: ImsWorld): void => {
  state.scriptedFailures = world.scripted.failures;
  state.scriptedStalls = world.scripted.stalls;
  for (const image of world.images) state.images.set(image.id, imageOf(image));
  for (const job of world.jobs) state.jobs.set(job.id, structuredClone(job));
  state.copyRecords.push(...world.copyRecords.map((record) => ({ ...record })));
  for (const server of world.servers) state.servers.set(server.id, { ...server });
  for (const config of world.scalingConfigs) state.scalingConfigs.set(config.id, { ...config });
};

/** Writes atomically: a temporary file next to the target, then a rename over it, so a crash never leaves half a world. */
export const saveImsWorld = (path: string, world: ImsWorld): void => {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(world, null, 1)}\n`);
  renameSync(temporary, path);
};

/** The saved world, or undefined when there is no file yet; anything unreadable is an error naming the file. */
export const loadImsWorld = (path: string): ImsWorld | undefined => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SimStateFileError(`cannot read IMS simulator state file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new SimStateFileError(`IMS simulator state file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const result = worldSchema.safeParse(document);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new SimStateFileError(`IMS simulator state file ${path} is corrupt: ${issues}`, { cause: result.error });
  }
  return result.data;
};
