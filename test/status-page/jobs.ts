import { ImageState } from '../../shared/core/domain/image';
import type { Job, JobSpec } from '../../shared/core/domain/job';
import { advance, newJob } from '../../shared/core/domain/job-transitions';

/** Jobs in every state the page shows, driven through the real transitions. Times are explicit: no clock is read. */
export interface PageJobInput {
  readonly id: string;
  readonly state: 'queued' | 'copying' | 'available' | 'failed';
  readonly policy?: string;
  readonly imageId?: string;
  readonly imageName?: string;
  readonly destination?: string;
  readonly createdAt?: string;
  /** Copy started this long after creation. */
  readonly startAfterSeconds?: number;
  /** The copy's progress as last observed, and when. */
  readonly progress?: { readonly percent: number; readonly atSeconds: number; readonly remainingSeconds?: number };
  readonly endAfterSeconds?: number;
  readonly error?: { readonly code: string; readonly message: string };
}

const at = (start: Date, seconds: number): Date => new Date(start.getTime() + seconds * 1000);

export const pageJob = (input: PageJobInput): Job => {
  const created = new Date(input.createdAt ?? '2026-11-01T00:00:00Z');
  const spec: JobSpec = {
    policy: input.policy ?? 'golden',
    provider: 'alibaba',
    account: 'default',
    source: { region: 'cn-hangzhou', imageId: input.imageId ?? 'm-golden0001', imageName: input.imageName ?? 'golden-web', sizeGiB: 20 },
    destination: { region: input.destination ?? 'cn-shanghai', imageName: input.imageName ?? 'golden-web', tags: {} },
    copyTimeoutSeconds: 7200,
    maxAttempts: 1,
    webhooks: [],
  };
  let job = newJob(input.id, spec, ImageState.Available, created);
  if (input.state === 'queued') return job;
  const started = at(created, input.startAfterSeconds ?? 60);
  job = advance(job, { type: 'dispatch.claimed' }, started);
  job = advance(job, { type: 'copy.accepted', handle: `m-copy-${input.id}`, destinationImageId: `m-copy-${input.id}`, route: 'copy-image' }, started);
  if (input.progress !== undefined) {
    job = advance(job, { type: 'copy.observed', state: 'running', progressPercent: input.progress.percent, remainingSeconds: input.progress.remainingSeconds }, at(started, input.progress.atSeconds));
  }
  if (input.state === 'copying') return job;
  const end = at(started, input.endAfterSeconds ?? 600);
  return input.state === 'available'
    ? advance(job, { type: 'copy.observed', state: 'available' }, end)
    : advance(job, { type: 'copy.observed', state: 'failed', error: input.error ?? { code: 'CopyFailed', message: 'the copy failed' } }, end);
};
