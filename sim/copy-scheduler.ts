import { type CopyTask, CopyTaskStatus, SimImageStatus, copyDurationMs, isActiveTask } from './model';
import type { SimImage } from './model';
import type { SimState } from './state';

/**
 * Copy tasks advance lazily: before anything reads or changes the state, `settle` replays every
 * completion up to now in time order and starts the oldest waiting task of a source region at the
 * instant a slot frees. Exact for any clock jump, and no timers.
 */
export const settle = (state: SimState, now = state.nowMs()): void => {
  for (;;) {
    let next: CopyTask | undefined;
    for (const task of state.tasks.values()) {
      if (task.status !== CopyTaskStatus.Running || task.endsAt === undefined) continue;
      if (next?.endsAt === undefined || task.endsAt < next.endsAt || (task.endsAt === next.endsAt && task.seq < next.seq)) {
        next = task;
      }
    }
    if (next?.endsAt === undefined || next.endsAt > now) return;
    finish(state, next, next.endsAt);
    startWaiting(state, next.sourceRegion, next.endsAt);
  }
};

const finish = (state: SimState, task: CopyTask, at: number): void => {
  const image = state.images.get(task.destinationImageId);
  task.finishedAt = at;
  if (task.failsAtFraction === undefined) {
    task.status = CopyTaskStatus.Succeeded;
    if (image) {
      image.status = SimImageStatus.Available;
      image.isCopied = true;
    }
    state.markSnapshots(task.destinationImageId, 'accomplished');
    return;
  }
  task.status = CopyTaskStatus.Failed;
  if (image) image.status = SimImageStatus.CreateFailed;
  // A failed copy keeps its CreateFailed image (it must be deleted) but nothing usable was stored.
  for (const snapshot of [...state.snapshots.values()]) {
    if (snapshot.imageId === task.destinationImageId) state.removeSnapshot(snapshot.id);
  }
};

const runningIn = (state: SimState, sourceRegion: string): number =>
  [...state.tasks.values()].filter((t) => t.sourceRegion === sourceRegion && t.status === CopyTaskStatus.Running).length;

/** Fills free slots of a source region with its oldest waiting tasks. */
export const startWaiting = (state: SimState, sourceRegion: string, at: number): void => {
  const waiting = [...state.tasks.values()]
    .filter((t) => t.sourceRegion === sourceRegion && t.status === CopyTaskStatus.Waiting)
    .sort((a, b) => a.seq - b.seq);
  let running = runningIn(state, sourceRegion);
  for (const task of waiting) {
    if (running >= state.copySettings.maxConcurrentPerSourceRegion) return;
    task.status = CopyTaskStatus.Running;
    task.startedAt = at;
    task.endsAt = at + Math.round(task.durationMs * (task.failsAtFraction ?? 1));
    const image = state.images.get(task.destinationImageId);
    if (image) image.status = SimImageStatus.Creating;
    running += 1;
  }
};

export interface EnqueueCopy {
  readonly source: SimImage;
  readonly destinationRegion: string;
  readonly name: string;
  readonly description: string;
  readonly tags: ReadonlyArray<readonly [string, string]>;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string | undefined;
  readonly resourceGroupId: string;
  readonly fails: boolean;
}

/** Accepts a copy: the destination image exists at once, Waiting or Creating. */
export const enqueueCopy = (state: SimState, request: EnqueueCopy): SimImage => {
  const now = state.nowMs();
  const seq = state.nextTaskSeq();
  const taskId = `copy-${seq}`;
  const image = state.addImage({
    region: request.destinationRegion,
    name: request.name,
    description: request.description,
    sizeGiB: request.source.sizeGiB,
    // The copy has the source's disk layout and boot contract; its family is set later (ModifyImageAttribute).
    disks: request.source.disks.map((disk) => ({ type: disk.type, sizeGiB: disk.sizeGiB, device: disk.device })),
    platform: request.source.platform,
    architecture: request.source.architecture,
    bootMode: request.source.bootMode,
    origin: 'CopyImage',
    status: SimImageStatus.Waiting,
    tags: request.tags,
    createdAt: new Date(now),
    ownerAlias: 'self',
    encrypted: request.encrypted,
    kmsKeyId: request.kmsKeyId,
    resourceGroupId: request.resourceGroupId,
    copyTaskId: taskId,
  });
  state.tasks.set(taskId, {
    id: taskId,
    seq,
    sourceRegion: request.source.region,
    sourceImageId: request.source.id,
    originImageId: originOf(state, request.source.id),
    destinationRegion: request.destinationRegion,
    destinationImageId: image.id,
    sizeGiB: request.source.sizeGiB,
    enqueuedAt: now,
    durationMs: copyDurationMs(request.source.sizeGiB, state.copySettings, request.source.region, request.destinationRegion),
    failsAtFraction: request.fails ? state.random.between(0.1, 0.9) : undefined,
    status: CopyTaskStatus.Waiting,
  });
  startWaiting(state, request.source.region, now);
  return image;
};

/** The original of an image: copies remember theirs, so a relayed copy counts as a copy of the original. */
const originOf = (state: SimState, imageId: string): string => {
  const task = [...state.tasks.values()].find((t) => t.destinationImageId === imageId);
  return task === undefined ? imageId : (task.originImageId ?? task.sourceImageId);
};

/** Stops a copy, removes its image and snapshots, and lets the next waiting task start. */
export const cancelTask = (state: SimState, task: CopyTask): void => {
  const now = state.nowMs();
  task.status = CopyTaskStatus.Cancelled;
  task.finishedAt = now;
  state.removeImage(task.destinationImageId, 'withImage');
  startWaiting(state, task.sourceRegion, now);
};

export const activeTaskOfImage = (state: SimState, imageId: string): CopyTask | undefined =>
  [...state.tasks.values()].find(
    (t) => isActiveTask(t) && (t.destinationImageId === imageId || t.sourceImageId === imageId),
  );

/** Progress as the API shows it: whole percent, and seconds left while the copy runs. */
export const copyProgress = (
  state: SimState,
  image: SimImage,
): { readonly percent: number; readonly remainSeconds: number } => {
  const task = image.copyTaskId === undefined ? undefined : state.tasks.get(image.copyTaskId);
  if (!task || task.status === CopyTaskStatus.Succeeded) {
    return { percent: image.status === SimImageStatus.Available ? 100 : 0, remainSeconds: 0 };
  }
  if (task.status === CopyTaskStatus.Waiting) {
    return { percent: 0, remainSeconds: Math.ceil(task.durationMs / 1000) };
  }
  const now = state.nowMs();
  const started = task.startedAt ?? now;
  const elapsed = Math.max(0, (task.finishedAt ?? now) - started);
  const percent = Math.min(99, Math.floor((elapsed / task.durationMs) * 100));
  const remainSeconds = task.status === CopyTaskStatus.Running ? Math.max(0, Math.ceil((started + task.durationMs - now) / 1000)) : 0;
  return { percent, remainSeconds };
};
