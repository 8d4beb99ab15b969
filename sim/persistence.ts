import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ARCHITECTURES, BOOT_MODES, CopyTaskStatus, DISK_TYPES, OWNER_ALIASES, SNAPSHOT_STATUSES, SimImageStatus } from './model';
import type { SimState } from './state';

const FORMAT = 'image-replicator/ecs-simulator-state';
const VERSION = 1;

const ms = z.number().int();
const tags = z.array(z.tuple([z.string(), z.string()]));

const imageRecord = z.strictObject({
  id: z.string().min(1),
  region: z.string().min(1),
  name: z.string(),
  description: z.string(),
  sizeGiB: z.number().int().nonnegative(),
  status: z.enum(SimImageStatus),
  tags,
  createdAt: ms,
  ownerAlias: z.enum(OWNER_ALIASES),
  isCopied: z.boolean(),
  encrypted: z.boolean(),
  kmsKeyId: z.string().optional(),
  resourceGroupId: z.string(),
  disks: z.array(z.strictObject({ device: z.string(), type: z.enum(DISK_TYPES), sizeGiB: z.number().int().positive(), snapshotId: z.string() })),
  copyTaskId: z.string().optional(),
  readyAt: ms.optional(),
  platform: z.string(),
  architecture: z.enum(ARCHITECTURES),
  bootMode: z.enum(BOOT_MODES),
  osType: z.enum(['linux', 'windows']),
  imageFamily: z.string(),
  sharedWith: z.array(z.strictObject({ accountId: z.string(), sharedAt: ms })),
});

const snapshotRecord = z.strictObject({
  id: z.string().min(1),
  region: z.string().min(1),
  sizeGiB: z.number().int().positive(),
  imageId: z.string().optional(),
  diskType: z.enum(DISK_TYPES),
  name: z.string(),
  description: z.string(),
  createdAt: ms,
  status: z.enum(SNAPSHOT_STATUSES),
  encrypted: z.boolean(),
  kmsKeyId: z.string().optional(),
  tags,
  retentionDays: z.number().int().optional(),
  disksMade: z.number().int().nonnegative().optional(),
  copy: z
    .strictObject({ sourceSnapshotId: z.string(), sourceRegion: z.string(), startedAt: ms, durationMs: ms, endsAt: ms, fails: z.boolean() })
    .optional(),
});

const taskRecord = z.strictObject({
  id: z.string(),
  seq: z.number().int(),
  sourceRegion: z.string(),
  sourceImageId: z.string(),
  originImageId: z.string().optional(),
  destinationRegion: z.string(),
  destinationImageId: z.string(),
  sizeGiB: z.number().int().nonnegative(),
  enqueuedAt: ms,
  durationMs: ms,
  failsAtFraction: z.number().optional(),
  status: z.enum(CopyTaskStatus),
  startedAt: ms.optional(),
  endsAt: ms.optional(),
  finishedAt: ms.optional(),
});

const worldSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  /** Virtual time of the save, for people reading the file. */
  savedAt: z.string(),
  clockMs: ms,
  randomState: z.number().int().nonnegative(),
  taskSeq: z.number().int().nonnegative(),
  regions: z.array(z.strictObject({ id: z.string().min(1), localName: z.string() })).min(1),
  copySettings: z.strictObject({
    bandwidthMiBps: z.number().positive(),
    overheadSeconds: z.number().min(0),
    maxConcurrentPerSourceRegion: z.number().int().positive(),
    imageQuotaPerRegion: z.number().int().positive().optional(),
    pairs: z.array(z.strictObject({ from: z.string(), to: z.string(), bandwidthMiBps: z.number().positive() })).optional(),
  }),
  quirks: z.strictObject({
    deleteMissingImage: z.enum(['ignore', 'notFound']),
    deleteMissingSnapshot: z.enum(['ignore', 'notFound']).optional(),
    imageSnapshotsOnDelete: z.enum(['withImage', 'keep']).optional(),
  }),
  imageCreation: z.strictObject({ durationSeconds: z.number().min(0) }),
  accounts: z.strictObject({ accountId: z.string(), otherAccounts: z.array(z.string()).optional() }),
  images: z.array(imageRecord),
  snapshots: z.array(snapshotRecord),
  tasks: z.array(taskRecord),
  instances: z.array(
    z.strictObject({ id: z.string(), region: z.string(), name: z.string(), imageId: z.string(), status: z.enum(['Running', 'Stopped']), createdAt: ms }),
  ),
  /** These three are absent in files saved before launch templates and Auto Scaling were simulated. */
  launchTemplates: z
    .array(
      z.strictObject({
        id: z.string(),
        region: z.string(),
        name: z.string(),
        versions: z.array(z.strictObject({ number: z.number().int().positive(), imageId: z.string().optional() })),
        createdAt: ms,
      }),
    )
    .default([]),
  scalingConfigurations: z
    .array(
      z.strictObject({ id: z.string(), region: z.string(), groupId: z.string(), imageId: z.string().optional(), lifecycle: z.enum(['Active', 'Inactive']), createdAt: ms }),
    )
    .default([]),
  autoScalingActivated: z.boolean().default(true),
  clientTokens: z.array(z.strictObject({ key: z.string(), fingerprint: z.string(), resourceId: z.string() })),
  history: z.array(
    z.strictObject({
      kind: z.enum(['image', 'snapshot']),
      id: z.string(),
      region: z.string(),
      origin: z.string(),
      createdAt: ms,
      name: z.string(),
      tags,
      deletedAt: ms.optional(),
    }),
  ),
});

/** The whole simulated world as it is written to disk. */
export type SimWorld = z.output<typeof worldSchema>;

export class SimStateFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimStateFileError';
  }
}

/** Everything a restarted simulator needs to answer as before: records, counters, tokens, clock. */
export const captureWorld = (state: SimState): SimWorld => {
  const clockMs = state.nowMs();
  const copy = <T>(value: T): T => structuredClone(value);
  return {
    format: FORMAT,
    version: VERSION,
    savedAt: new Date(clockMs).toISOString(),
    clockMs,
    randomState: state.random.state,
    taskSeq: state.taskSeq,
    regions: [...state.regions.values()].map(copy),
    copySettings: copy(state.copySettings) as SimWorld['copySettings'],
    quirks: copy(state.quirks),
    imageCreation: copy(state.imageCreation),
    accounts: copy(state.accounts) as SimWorld['accounts'],
    images: [...state.images.values()].map(copy) as SimWorld['images'],
    snapshots: [...state.snapshots.values()].map(copy),
    tasks: [...state.tasks.values()].map(copy),
    instances: [...state.instances.values()].map(copy),
    launchTemplates: [...state.launchTemplates.values()].map(copy) as SimWorld['launchTemplates'],
    scalingConfigurations: [...state.scalingConfigurations.values()].map(copy),
    autoScalingActivated: state.autoScalingActivated,
    clientTokens: [...state.clientTokens.entries()].map(([key, record]) => ({ key, ...record })),
    history: [...state.history.values()].map(copy),
  };
};

/** Fills an empty state (built from the world's own configuration) with the world's records. */
export const applyWorld = (state: SimState, world: SimWorld): void => {
  state.taskSeq = world.taskSeq;
  for (const image of world.images) state.images.set(image.id, image);
  for (const snapshot of world.snapshots) state.snapshots.set(snapshot.id, snapshot);
  for (const task of world.tasks) state.tasks.set(task.id, task);
  for (const instance of world.instances) state.instances.set(instance.id, instance);
  for (const template of world.launchTemplates) state.launchTemplates.set(template.id, template);
  for (const configuration of world.scalingConfigurations) state.scalingConfigurations.set(configuration.id, configuration);
  state.autoScalingActivated = world.autoScalingActivated;
  for (const { key, fingerprint, resourceId } of world.clientTokens) state.clientTokens.set(key, { fingerprint, resourceId });
  for (const record of world.history) state.history.set(record.id, record);
};

const JSON_INDENT = 1;

/** Writes the world atomically: a temporary file next to the target, then a rename over it. */
export const saveWorld = (path: string, world: SimWorld): void => {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(world, null, JSON_INDENT)}\n`);
  renameSync(temporary, path);
};

/** The saved world, or undefined when there is no file yet; anything unreadable is an error naming the file. */
export const loadWorld = (path: string): SimWorld | undefined => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SimStateFileError(`cannot read simulator state file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new SimStateFileError(`simulator state file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const result = worldSchema.safeParse(document);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new SimStateFileError(`simulator state file ${path} is corrupt: ${issues}`, { cause: result.error });
  }
  return result.data;
};
