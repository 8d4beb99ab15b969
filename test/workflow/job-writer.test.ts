import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { ManualClock } from '../../shared/core/domain/clock';
import { ImageState } from '../../shared/core/domain/image';
import { newJob } from '../../shared/core/domain/job-transitions';
import { planJobs } from '../../shared/core/domain/policy';
import { createJobWriter } from '../../shared/core/use-cases/job-writer';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { RecordingQueue } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';

describe('createJobWriter', () => {
  const clock = new ManualClock('2026-03-01T00:00:00Z');
  const source = { id: 'm-1', region: 'cn-hangzhou', name: 'golden', state: ImageState.Available, sizeGiB: 20, tags: { role: 'golden' } };

  it('writes nothing for an observation that changes nothing, and writes a real change', async () => {
    // Prepare
    const jobs = new InMemoryJobStore();
    const writer = createJobWriter(jobs, clock, silentLogger, new RecordingQueue());
    const [planned] = planJobs(testPolicyConfig(), { provider: 'alibaba', account: 'default' }, source);
    const { job } = await jobs.putIfAbsent(newJob(planned!.id, planned!.spec, ImageState.Pending, clock.now()));
    // Act
    const same = await writer.apply(job, { type: 'source.observed', state: ImageState.Pending, sizeGiB: 20 });
    const queued = await writer.apply(job, { type: 'source.observed', state: ImageState.Available });
    // Assess
    expect(same).toBe(job);
    expect(queued?.version).toBe(job.version + 1);
    expect((await jobs.get(job.id))?.status).toBe('queued');
  });
});
