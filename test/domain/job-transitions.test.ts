import { describe, expect, it } from 'vitest';
import { ImageState } from '../../shared/core/domain/image';
import {
  DeliveryStatus,
  type Job,
  type JobEvent,
  JobStatus,
  type JobSpec,
  MAX_LEFT_BEHIND,
  MAX_LEFT_BEHIND_WHY,
  NotificationStatus,
  isInFlight,
} from '../../shared/core/domain/job';
import { advance, IllegalTransitionError, newJob, tryAdvance } from '../../shared/core/domain/job-transitions';
import { COPY_RETRY_BASE_SECONDS } from '../../shared/core/domain/retry-policy';

const NOW = new Date('2026-03-01T10:00:00.000Z');

const spec: JobSpec = {
  policy: 'golden',
  provider: 'alibaba',
  account: 'default',
  source: { region: 'cn-hangzhou', imageId: 'm-src', imageName: 'golden-1' },
  destination: { region: 'cn-shanghai', imageName: 'golden-1', tags: {} },
  copyTimeoutSeconds: 3600,
  maxAttempts: 2,
  webhooks: ['ops', 'audit'],
};

const jobIn = (status: JobStatus, changes: Partial<Job> = {}): Job => ({
  ...newJob('rj-1', spec, ImageState.Available, NOW),
  status,
  ...(status === JobStatus.Copying || status === JobStatus.Stopping ? { destinationImageId: 'm-dst', copyStartedAt: NOW.toISOString() } : {}),
  ...(status === JobStatus.Stopping ? { stop: { outcome: JobStatus.TimedOut, since: NOW.toISOString() } } : {}),
  ...changes,
});

/** One representative of every event the model knows. */
const EVENTS: Record<JobEvent['type'], JobEvent> = {
  'source.observed': { type: 'source.observed', state: ImageState.Available },
  'dispatch.claimed': { type: 'dispatch.claimed' },
  'relay.available': { type: 'relay.available', relay: { region: 'ap-southeast-1', imageId: 'm-relay' } },
  'copy.accepted': { type: 'copy.accepted', handle: 'm-dst', destinationImageId: 'm-dst' },
  'dispatch.deferred': { type: 'dispatch.deferred', reason: { code: 'Throttling.User', message: 'slow down' } },
  'dispatch.rejected': { type: 'dispatch.rejected', error: { code: 'SourceImageNotFound', message: 'gone' } },
  'copy.observed': { type: 'copy.observed', state: 'running' as const, progressPercent: 40 },
  'copy.stopping': { type: 'copy.stopping', outcome: 'timed_out' },
  'copy.stopped': { type: 'copy.stopped' },
  'copy.resumed': { type: 'copy.resumed' },
  cancelled: { type: 'cancelled', reason: 'operator' },
  reopened: { type: 'reopened' },
  'notification.requeued': { type: 'notification.requeued' },
  'webhook.delivered': { type: 'webhook.delivered', eventId: 'rj-1.r1.available', webhook: 'ops' },
  'webhook.failed': { type: 'webhook.failed', eventId: 'rj-1.r1.available', webhook: 'ops', error: 'HTTP 500', giveUp: false },
  'share.completed': { type: 'share.completed', accounts: ['1234567890123456'] },
  'share.refused': { type: 'share.refused', error: { code: 'ShareRefused', message: 'encrypted with a service key' } },
  deprecated: { type: 'deprecated' },
  'prune.started': { type: 'prune.started', reason: 'older than 30 days' },
  'prune.completed': { type: 'prune.completed' },
  'prune.refused': { type: 'prune.refused', error: { code: 'InUse', message: 'instances run from it' } },
  'prune.imageGone': { type: 'prune.imageGone', error: { code: 'CopyPartlyDeleted', message: 'a snapshot is not deleted yet' } },
};

/** status → events that apply to it (webhook events apply only with a pending notification). */
const ALLOWED: Record<JobStatus, JobEvent['type'][]> = {
  [JobStatus.WaitingForSource]: ['source.observed', 'relay.available', 'cancelled'],
  [JobStatus.Queued]: ['dispatch.claimed', 'relay.available', 'cancelled'],
  [JobStatus.Dispatching]: ['copy.accepted', 'dispatch.deferred', 'dispatch.rejected', 'cancelled'],
  [JobStatus.Copying]: ['copy.observed', 'copy.stopping'],
  [JobStatus.Stopping]: ['copy.stopped', 'copy.resumed'],
  [JobStatus.Sharing]: ['share.completed', 'share.refused'],
  [JobStatus.Available]: ['deprecated', 'prune.started'],
  [JobStatus.Failed]: ['reopened'],
  [JobStatus.TimedOut]: ['reopened'],
  [JobStatus.Cancelled]: [],
  [JobStatus.Deprecated]: ['prune.started'],
  [JobStatus.Pruning]: ['prune.completed', 'prune.refused', 'prune.imageGone'],
  [JobStatus.Pruned]: [],
};

describe('job transitions', () => {
  const cases = Object.values(JobStatus).flatMap((status) =>
    Object.values(EVENTS).map((event) => ({ status, event, allowed: ALLOWED[status].includes(event.type) })),
  );

  it.each(cases)('$status + $event.type → allowed: $allowed', ({ status, event, allowed }) => {
    // Prepare
    const job = jobIn(status);
    // Act
    const act = () => advance(job, event, NOW);
    // Assess
    if (allowed) {
      expect(act().version).toBe(job.version + 1);
    } else {
      expect(act).toThrow(IllegalTransitionError);
      expect(tryAdvance(job, event, NOW)).toBeUndefined();
    }
  });

  it('creates a job waiting for its source when the source is still being built', () => {
    // Act
    const job = newJob('rj-1', spec, ImageState.Pending, NOW);
    // Assess
    expect(job.status).toBe(JobStatus.WaitingForSource);
    expect(job.attempt).toBe(1);
    expect(isInFlight(job)).toBe(true);
  });

  it('queues a waiting job once its source is available, keeping the size it learned', () => {
    const next = advance(jobIn(JobStatus.WaitingForSource), { type: 'source.observed', state: ImageState.Available, sizeGiB: 80 }, NOW);
    expect(next.status).toBe(JobStatus.Queued);
    expect(next.source.sizeGiB).toBe(80);
  });

  it.each([
    [ImageState.Failed, 'SourceImageFailed'],
    ['missing' as const, 'SourceImageNotFound'],
  ])('fails a waiting job whose source is %s, and opens its notification', (state, code) => {
    const next = advance(jobIn(JobStatus.WaitingForSource), { type: 'source.observed', state }, NOW);
    expect(next.status).toBe(JobStatus.Failed);
    expect(next.lastError?.code).toBe(code);
    expect(next.notification.status).toBe(NotificationStatus.Pending);
    expect(Object.keys(next.notification.webhooks)).toEqual(['ops', 'audit']);
  });

  it('records progress while the copy runs and finishes it as available', () => {
    const copying = jobIn(JobStatus.Copying);
    const progressed = advance(copying, { type: 'copy.observed', state: 'running' as const, progressPercent: 40 }, NOW);
    const done = advance(progressed, { type: 'copy.observed', state: ImageState.Available }, NOW);
    expect(progressed.progressPercent).toBe(40);
    expect(done.status).toBe(JobStatus.Available);
    expect(done.progressPercent).toBe(100);
    expect(done.finishedAt).toBe(NOW.toISOString());
    expect(done.notification.eventId).toBe('rj-1.r1.available');
  });

  it('keeps the handle a deletion is begun with, and the copy\'s own when none is given', () => {
    // Prepare
    const available = jobIn(JobStatus.Available, { destinationImageId: 'm-dst', copyHandle: 'm-dst' });
    // Act
    const withHandle = advance(available, { type: 'prune.started', reason: 'past retention', handle: '{"v":1,"r":"img","i":"m-dst","s":["s-1"]}' }, NOW);
    const without = advance(available, { type: 'prune.started', reason: 'past retention' }, NOW);
    // Assess
    expect([withHandle.status, withHandle.copyHandle]).toEqual([JobStatus.Pruning, '{"v":1,"r":"img","i":"m-dst","s":["s-1"]}']);
    expect(without.copyHandle).toBe('m-dst');
  });

  it('ends a deletion pruned with what the provider kept, on one line and bounded, and names it in the history', () => {
    // Prepare: a provider answer with a line break, a right-to-left override and far too much text
    const pruning = advance(jobIn(JobStatus.Available, { destinationImageId: 'm-dst', copyHandle: 'm-dst' }), { type: 'prune.started', reason: 'past retention' }, NOW);
    const parts = Array.from({ length: 30 }, (_, i) => ({ id: `s-${i}\u202e`, why: `kept\nforged line ${'x'.repeat(1_000)}` }));

    // Act
    const pruned = advance(pruning, { type: 'prune.completed', leftBehind: parts }, NOW);
    const clean = advance(pruning, { type: 'prune.completed', leftBehind: [] }, NOW);

    // Assess
    expect(pruned.status).toBe(JobStatus.Pruned);
    expect(pruned.leftBehind).toHaveLength(MAX_LEFT_BEHIND);
    expect(pruned.leftBehind?.[0]).toEqual({ id: 's-0?', why: `kept?forged line ${'x'.repeat(MAX_LEFT_BEHIND_WHY - 'kept?forged line '.length)}…` });
    expect(pruned.history?.at(-1)).toMatchObject({ event: 'prune.completed', code: 'LeftBehind', detail: expect.stringMatching(/^the provider kept s-0\?, s-1\?/) });
    expect(clean.leftBehind).toBeUndefined();
    expect(clean.history?.at(-1)?.code).toBeUndefined();
  });

  it('never returns a copy whose image is gone to available: the refusal is illegal, the deletion goes on and ends pruned', () => {
    // Prepare
    const pruning = advance(jobIn(JobStatus.Available, { destinationImageId: 'm-dst', copyHandle: 'm-dst' }), { type: 'prune.started', reason: 'past retention' }, NOW);
    const later = new Date(NOW.getTime() + 60_000);

    // Act
    const gone = advance(pruning, { type: 'prune.imageGone', error: { code: 'CopyPartlyDeleted', message: 'snapshot s-1 not deleted yet' } }, NOW);
    const again = advance(gone, { type: 'prune.imageGone', error: { code: 'CopyPartlyDeleted', message: 'still not' } }, later);
    const refused = tryAdvance(again, { type: 'prune.refused', error: { code: 'CopyInUse', message: 'in use by a template' } }, later);
    const done = advance(again, { type: 'prune.completed' }, later);

    // Assess
    expect([gone.status, gone.imageGoneAt, gone.lastError?.code]).toEqual([JobStatus.Pruning, NOW.toISOString(), 'CopyPartlyDeleted']);
    expect([again.imageGoneAt, again.lastError?.message]).toEqual([NOW.toISOString(), 'still not']);
    expect(refused).toBeUndefined();
    expect(done.status).toBe(JobStatus.Pruned);
  });

  it('records the same failure of a partial deletion once, not again on every pass', () => {
    // Prepare
    const pruning = advance(jobIn(JobStatus.Available, { destinationImageId: 'm-dst', copyHandle: 'm-dst' }), { type: 'prune.started', reason: 'past retention' }, NOW);
    const failure = { type: 'prune.imageGone', error: { code: 'CopyPartlyDeleted', message: 'Forbidden.RAM on s-1' } } as const;
    const gone = advance(pruning, failure, NOW);

    // Act
    const again = advance(gone, failure, new Date(NOW.getTime() + 60_000));

    // Assess
    expect({ ...again, version: gone.version, updatedAt: gone.updatedAt }).toEqual(gone);
    expect(gone.history?.at(-1)).toMatchObject({ event: 'prune.imageGone', code: 'CopyPartlyDeleted', detail: 'Forbidden.RAM on s-1' });
  });

  it('retries a failed copy with a new attempt after a back-off, while attempts remain', () => {
    const next = advance(jobIn(JobStatus.Copying), { type: 'copy.observed', state: ImageState.Failed }, NOW);
    expect(next.status).toBe(JobStatus.Queued);
    expect(next.attempt).toBe(2);
    expect(next.destinationImageId).toBeUndefined();
    expect(next.notBefore).toBe(new Date(NOW.getTime() + COPY_RETRY_BASE_SECONDS * 1000).toISOString());
    expect(next.notification.status).toBe(NotificationStatus.None);
  });

  it('fails the job when the last attempt fails', () => {
    const next = advance(jobIn(JobStatus.Copying, { attempt: 2 }), { type: 'copy.observed', state: 'missing' }, NOW);
    expect(next.status).toBe(JobStatus.Failed);
    expect(next.lastError?.code).toBe('CopyVanished');
  });

  it('puts a deferred dispatch back in the queue with the same attempt, so the same token is reused', () => {
    const retryAt = new Date(NOW.getTime() + 30_000);
    const next = advance(jobIn(JobStatus.Dispatching), { ...EVENTS['dispatch.deferred'], retryAt } as JobEvent, NOW);
    expect(next.status).toBe(JobStatus.Queued);
    expect(next.attempt).toBe(1);
    expect(next.notBefore).toBe(retryAt.toISOString());
  });

  it('gives a reopened job a new round, so its next outcome is a new notification event', () => {
    const failed = advance(jobIn(JobStatus.Dispatching, { webhooks: ['ops'] }), EVENTS['dispatch.rejected'], NOW);
    const told = advance(failed, { type: 'webhook.delivered', eventId: failed.notification.eventId!, webhook: 'ops' }, NOW);
    const reopened = advance(told, { type: 'reopened' }, new Date(NOW.getTime() + 3600_000));
    expect(reopened.status).toBe(JobStatus.Queued);
    expect(reopened.round).toBe(2);
    expect(reopened.attempt).toBe(1);
    expect(reopened.notification.status).toBe(NotificationStatus.None);
    expect(failed.notification.eventId).toBe('rj-1.r1.failed');
  });

  it('reopens a failed job only after a delay that grows with each round', () => {
    // Prepare
    const failed = advance(jobIn(JobStatus.Dispatching, { webhooks: [] }), EVENTS['dispatch.rejected'], NOW);
    const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    // Act
    const tooSoon = tryAdvance(failed, { type: 'reopened' }, later(5));
    const round2 = advance(failed, { type: 'reopened' }, later(10));
    const failedAgain = advance(advance(round2, { type: 'dispatch.claimed' }, later(11)), EVENTS['dispatch.rejected'], later(12));
    const round3TooSoon = tryAdvance(failedAgain, { type: 'reopened' }, later(12 + 19));
    const round3 = tryAdvance(failedAgain, { type: 'reopened' }, later(12 + 20));
    // Assess
    expect(tooSoon).toBeUndefined();
    expect(round2.round).toBe(2);
    expect(round3TooSoon).toBeUndefined();
    expect(round3?.round).toBe(3);
  });

  describe('notification deliveries', () => {
    const finished = advance(jobIn(JobStatus.Copying), { type: 'copy.observed', state: ImageState.Available }, NOW);

    it('stays pending until every webhook has answered, then is delivered and leaves flight', () => {
      const one = advance(finished, { type: 'webhook.delivered', eventId: finished.notification.eventId!, webhook: 'ops' }, NOW);
      const both = advance(one, { type: 'webhook.delivered', eventId: finished.notification.eventId!, webhook: 'audit' }, NOW);
      expect(one.notification.status).toBe(NotificationStatus.Pending);
      expect(isInFlight(one)).toBe(true);
      expect(both.notification.status).toBe(NotificationStatus.Delivered);
      expect(isInFlight(both)).toBe(false);
    });

    it('counts failed attempts and records a webhook given up on', () => {
      const failedOnce = advance(finished, { type: 'webhook.failed', eventId: finished.notification.eventId!, webhook: 'ops', error: 'HTTP 500', giveUp: false }, NOW);
      const gaveUp = advance(failedOnce, { type: 'webhook.failed', eventId: finished.notification.eventId!, webhook: 'ops', error: 'HTTP 500', giveUp: true }, NOW);
      const settled = advance(gaveUp, { type: 'webhook.delivered', eventId: finished.notification.eventId!, webhook: 'audit' }, NOW);
      expect(failedOnce.notification.webhooks.ops).toEqual({ status: DeliveryStatus.Pending, attempts: 1, lastError: 'HTTP 500' });
      expect(gaveUp.notification.webhooks.ops?.status).toBe(DeliveryStatus.GaveUp);
      expect(settled.notification.status).toBe(NotificationStatus.GaveUp);
    });

    it('restarts the requeue clock of a pending notification', () => {
      const later = new Date(NOW.getTime() + 600_000);
      const requeued = advance(finished, { type: 'notification.requeued' }, later);
      expect(requeued.notification.requestedAt).toBe(later.toISOString());
      expect(requeued.notification.eventId).toBe(finished.notification.eventId);
    });

    it('ignores a delivery for an earlier outcome of the job', () => {
      expect(tryAdvance(finished, { type: 'webhook.delivered', eventId: 'rj-1.r0.failed', webhook: 'ops' }, NOW)).toBeUndefined();
    });

    it('does not reopen a job while its last outcome is still being notified', () => {
      const failed = advance(jobIn(JobStatus.Dispatching), EVENTS['dispatch.rejected'], NOW);
      expect(failed.notification.status).toBe(NotificationStatus.Pending);
      expect(tryAdvance(failed, { type: 'reopened' }, NOW)).toBeUndefined();
    });

    it('ignores a second delivery of the same webhook', () => {
      const once = advance(finished, { type: 'webhook.delivered', eventId: finished.notification.eventId!, webhook: 'ops' }, NOW);
      expect(tryAdvance(once, { type: 'webhook.delivered', eventId: finished.notification.eventId!, webhook: 'ops' }, NOW)).toBeUndefined();
    });

    it('opens no notification for a policy without webhooks', () => {
      const quiet = advance(jobIn(JobStatus.Stopping, { webhooks: [] }), { type: 'copy.stopped' }, NOW);
      expect(quiet.status).toBe(JobStatus.TimedOut);
      expect(quiet.notification.status).toBe(NotificationStatus.None);
      expect(isInFlight(quiet)).toBe(false);
    });
  });
});
