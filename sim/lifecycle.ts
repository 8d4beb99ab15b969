import { copyProgress, settle } from './copy-scheduler';
import { SimImageStatus, type SimImage, type SimSnapshot } from './model';
import type { SimState } from './state';

export interface Progress {
  readonly percent: number;
  readonly remainSeconds: number;
}

/**
 * Brings every lazy process up to now: image copies (in completion order, with their queue),
 * snapshot copies and image creations. Called before anything reads or changes the state.
 */
export const settleWorld = (state: SimState, now = state.nowMs()): void => {
  settle(state, now);
  for (const snapshot of state.snapshots.values()) {
    if (snapshot.status === 'progressing' && snapshot.copy !== undefined && snapshot.copy.endsAt <= now) {
      snapshot.status = snapshot.copy.fails ? 'failed' : 'accomplished';
    }
  }
  for (const image of state.images.values()) {
    if (image.status === SimImageStatus.Creating && image.readyAt !== undefined && image.readyAt <= now) {
      image.status = SimImageStatus.Available;
    }
  }
};

const fraction = (elapsed: number, total: number): number => (total <= 0 ? 1 : Math.max(0, Math.min(1, elapsed / total)));

/** A CreateImage image: linear from its creation to `readyAt`. */
export const creationProgress = (state: SimState, image: SimImage): Progress => {
  if (image.status !== SimImageStatus.Creating || image.readyAt === undefined) {
    return { percent: image.status === SimImageStatus.Available || image.status === SimImageStatus.Deprecated ? 100 : 0, remainSeconds: 0 };
  }
  const now = state.nowMs();
  const percent = Math.min(99, Math.floor(fraction(now - image.createdAt, image.readyAt - image.createdAt) * 100));
  return { percent, remainSeconds: Math.max(0, Math.ceil((image.readyAt - now) / 1000)) };
};

/** Progress of any image: its copy task when it is a copy, its creation otherwise. */
export const imageProgress = (state: SimState, image: SimImage): Progress =>
  image.copyTaskId !== undefined ? copyProgress(state, image) : creationProgress(state, image);

/** Progress as DescribeSnapshots shows it: a CopySnapshot transfer, or the image copy the snapshot belongs to. */
export const snapshotProgress = (state: SimState, snapshot: SimSnapshot): Progress => {
  if (snapshot.status === 'accomplished') return { percent: 100, remainSeconds: 0 };
  const now = state.nowMs();
  const copy = snapshot.copy;
  if (copy !== undefined) {
    const until = snapshot.status === 'failed' ? copy.endsAt : now;
    const percent = Math.min(99, Math.floor(fraction(until - copy.startedAt, copy.durationMs) * 100));
    const remainSeconds = snapshot.status === 'failed' ? 0 : Math.max(0, Math.ceil((copy.startedAt + copy.durationMs - now) / 1000));
    return { percent, remainSeconds };
  }
  const image = snapshot.imageId === undefined ? undefined : state.images.get(snapshot.imageId);
  if (image && snapshot.status === 'progressing') return imageProgress(state, image);
  return { percent: 0, remainSeconds: 0 };
};
