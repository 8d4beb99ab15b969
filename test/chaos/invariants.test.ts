import { describe, expect, it } from 'vitest';
import type { ReceivedNotification } from '../../examples/webhook-receiver';
import { ManualClock } from '../../shared/core/domain/clock';
import { type Job, JobStatus } from '../../shared/core/domain/job';
import { advance, newJob } from '../../shared/core/domain/job-transitions';
import { planJobs } from '../../shared/core/domain/policy';
import { testPolicyConfig } from '../helpers/policy';
import type { CopyMade } from './clouds';
import { checkInvariants, type Expectation, type Observation } from './invariants';

const clock = new ManualClock('2026-11-01T00:00:00Z');
const source = { id: 'm-source0001', region: 'cn-hangzhou', name: 'golden', state: 'available', sizeGiB: 20, tags: { role: 'golden' } } as const;
const [planned] = planJobs(testPolicyConfig(), { provider: 'alibaba', account: 'default' }, source);

const delivered = (job: Job): Job => advance(job, { type: 'webhook.delivered', eventId: job.notification.eventId!, webhook: 'ops' }, clock.now());

/** A job that finished available with copy `m-copy1` and had its notification delivered. */
const finishedJob = (): Job => {
  let job = newJob(planned!.id, planned!.spec, 'available', clock.now());
  job = advance(job, { type: 'dispatch.claimed' }, clock.now());
  job = advance(job, { type: 'copy.accepted', handle: 'm-copy1', destinationImageId: 'm-copy1' }, clock.now());
  job = advance(job, { type: 'copy.observed', state: 'available' }, clock.now());
  return delivered(job);
};

/** A job whose only attempt was refused: failed, told once. */
const failedJob = (): Job => {
  let job = newJob(planned!.id, planned!.spec, 'available', clock.now());
  job = advance(job, { type: 'dispatch.claimed' }, clock.now());
  job = advance(job, { type: 'dispatch.rejected', error: { code: 'Refused', message: 'no' } }, clock.now());
  return delivered(job);
};

const copy = (imageId: string, changes: Partial<CopyMade> = {}): CopyMade => ({
  sourceImageId: source.id,
  destinationRegion: planned!.spec.destination.region,
  imageId,
  name: 'golden',
  failed: false,
  live: true,
  sharedWith: [],
  ...changes,
});

const expectation = (changes: Partial<Expectation> = {}): Expectation => ({
  sourceImageId: source.id,
  destinationRegion: planned!.spec.destination.region,
  outcome: 'available-unless-exhausted',
  maxAttempts: 2,
  webhooks: ['ops'],
  ...changes,
});

const observation = (job: Job, copies: CopyMade[], received: ReceivedNotification[], changes: Partial<Observation> = {}): Observation => ({
  expectations: [expectation()],
  final: { jobs: [job], copies },
  copyCalls: [],
  receivers: { ops: { received, rejected: 0 } },
  snapshot: { inFlightJobs: 0, queued: { startCopy: 0, notify: 0 }, deadLetters: 0 },
  ...changes,
});

const notified = (job: Job, duplicate = false): ReceivedNotification => ({ eventId: job.notification.eventId!, duplicate, body: { jobId: job.id } });

describe('the chaos invariants', () => {
  it('pass for one copy and one notification, however often it was posted', () => {
    // Prepare
    const job = finishedJob();

    // Act
    const report = checkInvariants(observation(job, [copy('m-copy1')], [notified(job), notified(job, true)]));

    // Assess
    expect(report.violations).toEqual([]);
    expect(report.notificationsExactlyOnce).toBe(1);
    expect(report.notificationPosts).toBe(2);
  });

  it('count a second copy made and deleted again: exactly once means once ever, not once at the end', () => {
    // Prepare
    const job = finishedJob();

    // Act
    const report = checkInvariants(observation(job, [copy('m-copy1'), copy('m-copy2', { live: false })], [notified(job)]));

    // Assess
    expect(report.duplicateCopies).toBe(1);
    expect(report.violations.join('\n')).toContain('duplicate-copy');
  });

  it('flag a failed copy left in the destination, and allow one that was deleted', () => {
    // Prepare
    const job = finishedJob();

    // Act
    const left = checkInvariants(observation(job, [copy('m-failed', { failed: true }), copy('m-copy1')], [notified(job)]));
    const cleaned = checkInvariants(observation(job, [copy('m-failed', { failed: true, live: false }), copy('m-copy1')], [notified(job)]));

    // Assess
    expect(left.violations.join('\n')).toContain('failed-copy-left');
    expect(cleaned.violations).toEqual([]);
  });

  it('fail a job a transient fault failed: only copies failing on every attempt may end in failure', () => {
    // Prepare
    const job = failedJob();

    // Act
    const transient = checkInvariants(observation(job, [], [notified(job)]));
    const exhausted = checkInvariants(
      observation(job, [copy('m-f1', { failed: true, live: false }), copy('m-f2', { failed: true, live: false })], [notified(job)], {
        expectations: [expectation({ maxAttempts: 1 })],
      }),
    );

    // Assess
    expect(transient.wrongOutcomes).toBe(1);
    expect(transient.violations.join('\n')).toContain('expected available, the job ended failed');
    expect(exhausted.wrongOutcomes).toBe(0);
  });

  it('judge the first round before the closing sweep, and its reopened round after', () => {
    // Prepare
    const job = failedJob();
    const reopened = advance(advance(job, { type: 'reopened' }, new Date('2026-11-02T00:00:00Z')), { type: 'dispatch.claimed' }, clock.now());

    // Act
    const report = checkInvariants(
      observation(reopened, [], [notified(job)], {
        expectations: [expectation({ outcome: JobStatus.Failed, reopened: JobStatus.Failed })],
        settled: { jobs: [job], copies: [] },
      }),
    );

    // Assess
    expect(report.violations.join('\n')).toContain('after the closing sweep expected failed, the job is dispatching');
  });

  it('flag a job that took somebody else\'s image, whatever its outcome', () => {
    // Prepare
    const job = finishedJob();

    // Act
    const report = checkInvariants(observation(job, [copy('m-copy9')], [notified(job)]));

    // Assess
    expect(report.violations.join('\n')).toContain('not-our-copy');
  });

  it('flag more ClientTokens than attempts: a retry of one attempt must carry its token', () => {
    // Prepare
    const job = finishedJob();
    const call = (clientToken: string) => ({ status: 200, destinationRegion: job.destination.region, name: job.destination.imageName, clientToken });

    // Act
    const report = checkInvariants(observation(job, [copy('m-copy1')], [notified(job)], { copyCalls: [call('t-1'), call('t-2')] }));

    // Assess
    expect(report.violations.join('\n')).toContain('token');
  });

  it('flag an available copy not shared with whom the policy names, at the cloud or on its job', () => {
    // Prepare: the policy shares with one account; the cloud shares the copy with nobody
    const job = finishedJob();
    const expectations = [expectation({ shareWith: ['1000000000000002'] })];

    // Act
    const unshared = checkInvariants(observation(job, [copy('m-copy1')], [notified(job)], { expectations }));
    const sharedAtCloud = checkInvariants(observation(job, [copy('m-copy1', { sharedWith: ['1000000000000002'] })], [notified(job)], { expectations }));

    // Assess: the job records no share either
    expect(unshared.violations.filter((v) => v.startsWith('share'))).toHaveLength(2);
    expect(sharedAtCloud.violations).toEqual([expect.stringContaining('the job records sharedWith []')]);
  });

  it('flag a notification that never reached a webhook, and a job that was never recorded', () => {
    // Prepare
    const job = finishedJob();
    const missing = observation(job, [copy('m-copy1')], [], { expectations: [expectation(), expectation({ sourceImageId: 'm-other00001' })] });

    // Act
    const report = checkInvariants(missing);

    // Assess
    expect(report.jobsLost).toBe(1);
    expect(report.notificationsExactlyOnce).toBe(0);
    expect(report.violations.some((v) => v.includes('webhook ops saw event ids []'))).toBe(true);
  });
});
