import { describe, expect, it } from 'vitest';
import type { ReceivedNotification } from '../../examples/webhook-receiver';
import { ManualClock } from '../../shared/core/domain/clock';
import { type Job, JobStatus } from '../../shared/core/domain/job';
import { advance, newJob } from '../../shared/core/domain/job-transitions';
import { planJobs } from '../../shared/core/domain/policy';
import { testPolicyConfig } from '../helpers/policy';
import { checkInvariants, type Observation } from './invariants';

const clock = new ManualClock('2026-11-01T00:00:00Z');
const source = { id: 'm-source0001', region: 'cn-hangzhou', name: 'golden', state: 'available', sizeGiB: 20, tags: { role: 'golden' } } as const;
const [planned] = planJobs(testPolicyConfig(), { provider: 'alibaba', account: 'default' }, source);

/** A job that finished available with copy `m-copy1` and had its notification delivered. */
const finishedJob = (): Job => {
  let job = newJob(planned!.id, planned!.spec, 'available', clock.now());
  job = advance(job, { type: 'dispatch.claimed' }, clock.now());
  job = advance(job, { type: 'copy.accepted', handle: 'm-copy1', destinationImageId: 'm-copy1' }, clock.now());
  job = advance(job, { type: 'copy.observed', state: 'available' }, clock.now());
  return advance(job, { type: 'webhook.delivered', eventId: job.notification.eventId!, webhook: 'ops' }, clock.now());
};

const observation = (job: Job, copies: string[], received: ReceivedNotification[]): Observation => ({
  expectations: [{ sourceImageId: source.id, destinationRegion: job.destination.region, outcome: JobStatus.Available, webhooks: ['ops'] }],
  jobs: [job],
  copyCounts: [{ sourceRegion: source.region, sourceImageId: source.id, destinationRegion: job.destination.region, copies: copies.length, imageIds: copies }],
  receivers: { ops: { received, rejected: 0 } },
  snapshot: { inFlightJobs: 0, queued: { startCopy: 0, notify: 0 }, deadLetters: 0 },
});

const notified = (job: Job, duplicate = false): ReceivedNotification => ({ eventId: job.notification.eventId!, duplicate, body: { jobId: job.id } });

describe('the chaos invariants', () => {
  it('pass for one copy and one notification, however often it was posted', () => {
    // Prepare
    const job = finishedJob();

    // Act
    const report = checkInvariants(observation(job, ['m-copy1'], [notified(job), notified(job, true)]));

    // Assess
    expect(report.violations).toEqual([]);
    expect(report.notificationsExactlyOnce).toBe(1);
    expect(report.notificationPosts).toBe(2);
  });

  it('flag a second copy in the destination, even one no job tracks', () => {
    // Prepare
    const job = finishedJob();

    // Act
    const report = checkInvariants(observation(job, ['m-copy1', 'm-orphan'], [notified(job)]));

    // Assess
    expect(report.duplicateCopies).toBe(1);
    expect(report.violations.join('\n')).toContain('2 copies in the destination');
  });

  it('flag a notification that never reached a webhook, and a job that was never recorded', () => {
    // Prepare
    const job = finishedJob();
    const missing = { ...observation(job, ['m-copy1'], []), expectations: [...observation(job, [], []).expectations, { sourceImageId: 'm-other00001', destinationRegion: 'cn-shanghai', outcome: 'terminal' as const, webhooks: [] }] };

    // Act
    const report = checkInvariants(missing);

    // Assess
    expect(report.jobsLost).toBe(1);
    expect(report.notificationsExactlyOnce).toBe(0);
    expect(report.violations.some((v) => v.includes('webhook ops saw event ids []'))).toBe(true);
  });
});
