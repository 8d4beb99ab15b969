import type { PolicyConfig } from '../../shared/core/config/policy-config';
import type { Clock } from '../../shared/core/domain/clock';
import { type CloudImage, ImageState } from '../../shared/core/domain/image';
import type { Job, JobEvent } from '../../shared/core/domain/job';
import { advance, newJob } from '../../shared/core/domain/job-transitions';
import { planJobs } from '../../shared/core/domain/policy';
import type { JobStore } from '../../shared/core/ports/job-store';

/**
 * The job a policy plans for `source` to `region` (default account on Alibaba), stored, then
 * advanced through `events` one write at a time, at the clock's time: a job in any state, reached
 * through the real transitions.
 */
export const storedJob = async (
  deps: { readonly jobs: JobStore; readonly clock: Clock; readonly config: PolicyConfig },
  source: CloudImage,
  region: string,
  ...events: JobEvent[]
): Promise<Job> => {
  const planned = planJobs(deps.config, { provider: 'alibaba', account: 'default' }, source).find((p) => p.spec.destination.region === region);
  if (planned === undefined) throw new Error(`the policy plans no copy of ${source.id} to ${region}`);
  let job = newJob(planned.id, planned.spec, ImageState.Available, deps.clock.now());
  await deps.jobs.putIfAbsent(job);
  for (const event of events) job = await deps.jobs.update(advance(job, event, deps.clock.now()));
  return job;
};
