import { ImageState } from '../../shared/core/domain/image';
import type { Job, JobSpec, LeftBehind } from '../../shared/core/domain/job';
import { advance, newJob } from '../../shared/core/domain/job-transitions';

/** How a test job ends, and when. Times are offsets from `createdAt`, so no test reads a clock. */
export interface FinishedJobInput {
  readonly outcome: 'available' | 'failed' | 'timed_out' | 'cancelled' | 'pruned';
  readonly id?: string;
  readonly policy?: string;
  readonly imageName?: string;
  readonly imageId?: string;
  readonly sourceRegion?: string;
  readonly destinationRegion?: string;
  readonly sizeGiB?: number;
  readonly createdAt?: string;
  /** Queued before the copy started. */
  readonly queuedSeconds?: number;
  /** Copy started → outcome. */
  readonly copySeconds?: number;
  readonly error?: { readonly code: string; readonly message: string };
  /** Pruned: available → pruned after this long. */
  readonly keptSeconds?: number;
  /** Pruned: what the provider kept of the copy. */
  readonly leftBehind?: readonly LeftBehind[];
}

const at = (start: Date, seconds: number): Date => new Date(start.getTime() + seconds * 1000);

/** A job driven through the real transitions to the requested outcome. */
export const finishedJob = (input: FinishedJobInput): Job => {
  const created = new Date(input.createdAt ?? '2026-03-01T00:00:00Z');
  const spec: JobSpec = {
    policy: input.policy ?? 'golden',
    provider: 'alibaba',
    account: 'default',
    source: { region: input.sourceRegion ?? 'cn-hangzhou', imageId: input.imageId ?? 'm-bp1golden0001', imageName: input.imageName ?? 'golden-ubuntu-22', sizeGiB: input.sizeGiB },
    destination: { region: input.destinationRegion ?? 'cn-shanghai', imageName: input.imageName ?? 'golden-ubuntu-22', tags: {} },
    copyTimeoutSeconds: 7200,
    maxAttempts: 1,
    webhooks: ['ops'],
  };
  const queued = input.queuedSeconds ?? 60;
  const copying = input.copySeconds ?? 120;
  let job = newJob(input.id ?? 'rj-0001', spec, ImageState.Available, created);
  if (input.outcome === 'cancelled') return advance(job, { type: 'cancelled', reason: input.error?.message ?? 'operator' }, at(created, queued));
  job = advance(job, { type: 'dispatch.claimed' }, at(created, queued));
  job = advance(job, { type: 'copy.accepted', handle: 'm-uf6copy0001', destinationImageId: 'm-uf6copy0001' }, at(created, queued));
  const end = at(created, queued + copying);
  switch (input.outcome) {
    case 'available':
      return advance(job, { type: 'copy.observed', state: ImageState.Available }, end);
    case 'pruned': {
      const available = advance(job, { type: 'copy.observed', state: ImageState.Available }, end);
      const told = advance(available, { type: 'webhook.delivered', eventId: available.notification.eventId ?? '', webhook: 'ops' }, end);
      const prunedAt = at(end, input.keptSeconds ?? 86_400);
      return advance(advance(told, { type: 'prune.started', reason: 'past retention' }, prunedAt), { type: 'prune.completed', leftBehind: input.leftBehind }, prunedAt);
    }
    case 'failed':
      return advance(job, { type: 'copy.observed', state: ImageState.Failed, error: input.error }, end);
    case 'timed_out':
      return advance(advance(job, { type: 'copy.stopping', outcome: 'timed_out' }, end), { type: 'copy.stopped' }, end);
  }
};
