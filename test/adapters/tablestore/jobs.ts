import { ImageState } from '../../../shared/core/domain/image';
import type { Job } from '../../../shared/core/domain/job';
import { advance, newJob } from '../../../shared/core/domain/job-transitions';

const at = (minute: number): Date => new Date(Date.UTC(2026, 0, 1, 0, minute));

export const queuedJob = (id: string, minute = 0, webhooks: string[] = []): Job =>
  newJob(
    id,
    {
      policy: 'nightly',
      provider: 'alibaba',
      account: 'default',
      source: { region: 'cn-hangzhou', imageId: 'm-source', imageName: 'golden' },
      destination: { region: 'cn-shanghai', imageName: 'golden', tags: {} },
      copyTimeoutSeconds: 3600,
      maxAttempts: 2,
      webhooks,
    },
    ImageState.Available,
    at(minute),
  );

/** queued → dispatching → copying → available: version 3, out of flight unless it has webhooks. */
export const availableJob = (id: string, minute = 0, webhooks: string[] = []): Job => {
  let job = queuedJob(id, minute, webhooks);
  job = advance(job, { type: 'dispatch.claimed' }, at(minute + 1));
  job = advance(job, { type: 'copy.accepted', handle: `m-${id}`, destinationImageId: `m-${id}` }, at(minute + 2));
  return advance(job, { type: 'copy.observed', state: ImageState.Available }, at(minute + 3));
};

export const claim = (job: Job): Job => advance(job, { type: 'dispatch.claimed' }, at(30));
export const cancel = (job: Job): Job => advance(job, { type: 'cancelled', reason: 'operator' }, at(31));
export const accepted = (job: Job): Job => advance(job, { type: 'copy.accepted', handle: `m-${job.id}`, destinationImageId: `m-${job.id}` }, at(32));
