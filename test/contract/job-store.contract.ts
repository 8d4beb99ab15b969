import { describe, expect, it } from 'vitest';
import { VersionConflictError } from '../../shared/core/domain/errors';
import { ImageState } from '../../shared/core/domain/image';
import { CopyState, DeliveryStatus, type Job, JobStatus, type JobSpec, NotificationStatus } from '../../shared/core/domain/job';
import { advance, newJob } from '../../shared/core/domain/job-transitions';
import { CORRUPT_JOB_CODE, type JobStore, type JobUpdateOutcome } from '../../shared/core/ports/job-store';

export interface JobStoreUnderTest {
  readonly store: JobStore;
  /** Damages a stored job's row the way a bad write or a hand edit would. */
  corrupt(id: string): Promise<void>;
  close(): Promise<void>;
}

export type JobStoreFactory = () => Promise<JobStoreUnderTest>;

const spec = (policy: string, overrides: Partial<JobSpec> = {}): JobSpec => ({
  policy,
  provider: 'alibaba',
  account: 'default',
  source: { region: 'cn-hangzhou', imageId: 'm-source0001', imageName: 'golden' },
  destination: { region: 'cn-shanghai', imageName: 'golden-copy', tags: { team: 'platform' } },
  copyTimeoutSeconds: 3600,
  maxAttempts: 3,
  webhooks: [],
  ...overrides,
});

const at = (minute: number): Date => new Date(Date.UTC(2026, 0, 1, 0, minute));

const queuedJob = (id: string, minute: number, policy = 'nightly', overrides: Partial<JobSpec> = {}): Job =>
  newJob(id, spec(policy, overrides), ImageState.Available, at(minute));

/** A job that reached `available`, optionally with a webhook still to notify. */
const finishedJob = (id: string, minute: number, webhooks: string[] = []): Job => {
  let job = queuedJob(id, minute, 'nightly', { webhooks });
  job = advance(job, { type: 'dispatch.claimed' }, at(minute + 1));
  job = advance(job, { type: 'copy.accepted', handle: `m-copy-${id}`, destinationImageId: `m-copy-${id}` }, at(minute + 2));
  return advance(job, { type: 'copy.observed', state: ImageState.Available }, at(minute + 3));
};

/** Every optional field set, including nested ones, to prove nothing is lost on the way. */
const fullyPopulatedJob = (): Job => ({
  id: 'job-full',
  version: 7,
  status: JobStatus.Available,
  attempt: 2,
  round: 3,
  policy: 'weekly',
  provider: 'huawei',
  account: 'prod-eu',
  source: { region: 'cn-hangzhou', imageId: 'm-src', imageName: 'golden ü', sizeGiB: 40 },
  destination: {
    region: 'ap-southeast-1',
    imageName: 'golden-sg',
    description: 'copied by image-replicator',
    encrypted: true,
    kmsKeyId: 'key-123',
    tags: { team: 'platform', 'image-replicator:managed': 'true' },
    options: { agencyName: 'ims_admin_agency', projectName: 'ap-southeast-1' },
  },
  copyTimeoutSeconds: 7200,
  maxAttempts: 5,
  webhooks: ['ops', 'audit'],
  copyHandle: '{"v":1,"job":"0f1e2d3c4b5a69788796a5b4c3d2e1f0","src":"cn-hangzhou","dst":"ap-southeast-1"}',
  destinationImageId: 'm-dst',
  route: 'cross-region-copy',
  progressPercent: 100,
  remainingSeconds: 42,
  lastError: { code: 'CopyFailed', message: 'the provider reported the copy as failed', at: at(5).toISOString() },
  createdAt: at(1).toISOString(),
  updatedAt: at(9).toISOString(),
  copyStartedAt: at(3).toISOString(),
  finishedAt: at(9).toISOString(),
  notBefore: at(4).toISOString(),
  notification: {
    status: NotificationStatus.Pending,
    eventId: 'job-full.r3.available',
    requestedAt: at(9).toISOString(),
    webhooks: {
      ops: { status: DeliveryStatus.Delivered, attempts: 1, deliveredAt: at(10).toISOString() },
      audit: { status: DeliveryStatus.Pending, attempts: 2, lastError: 'HTTP 503' },
    },
  },
});

const ids = (jobs: readonly Job[]): string[] => jobs.map((job) => job.id);

/** A copy under way: claimed and accepted, in flight. */
const copyingJob = (id: string, minute: number): Job => {
  const job = advance(queuedJob(id, minute), { type: 'dispatch.claimed' }, at(minute + 1));
  return advance(job, { type: 'copy.accepted', handle: `m-copy-${id}`, destinationImageId: `m-copy-${id}` }, at(minute + 2));
};
const progressed = (job: Job, percent: number): Job =>
  advance(job, { type: 'copy.observed', state: CopyState.Running, progressPercent: percent }, at(40));

/** The store's own batch, not the port's one-by-one fallback. */
const updateManyOf = (store: JobStore): ((jobs: readonly Job[]) => Promise<JobUpdateOutcome[]>) => {
  if (!store.updateMany) throw new Error('this store has no updateMany');
  return (jobs) => store.updateMany!(jobs);
};
const statuses = (outcomes: readonly JobUpdateOutcome[]): string[][] => outcomes.map((outcome) => [outcome.id, outcome.status]);

/** The JobStore port's contract, registered once per implementation. */
export const describeJobStoreContract = (name: string, factory: JobStoreFactory): void => {
  describe(`JobStore contract: ${name}`, () => {
    const withStore = async (body: (store: JobStore, subject: JobStoreUnderTest) => Promise<void>): Promise<void> => {
      const subject = await factory();
      try {
        await body(subject.store, subject);
      } finally {
        await subject.close();
      }
    };

    it('creates a job once and answers the stored job, unchanged, on a second put', () =>
      withStore(async (store) => {
        // Prepare
        const original = queuedJob('job-1', 0);
        const impostor = { ...original, policy: 'other', destination: { ...original.destination, region: 'eu-central-1' } };

        // Act
        const first = await store.putIfAbsent(original);
        const second = await store.putIfAbsent(impostor);

        // Assess
        expect(first).toEqual({ created: true, job: original });
        expect(second).toEqual({ created: false, job: original });
        expect(await store.get('job-1')).toEqual(original);
      }));

    it('answers undefined for a job it does not hold', () =>
      withStore(async (store) => {
        // Prepare
        await store.putIfAbsent(queuedJob('job-1', 0));

        // Act
        const missing = await store.get('job-404');

        // Assess
        expect(missing).toBeUndefined();
      }));

    it('stores an update made from the stored version', () =>
      withStore(async (store) => {
        // Prepare
        const job = queuedJob('job-1', 0);
        await store.putIfAbsent(job);
        const next = advance(job, { type: 'dispatch.claimed' }, at(1));

        // Act
        const stored = await store.update(next);

        // Assess
        expect(stored).toEqual(next);
        expect(await store.get('job-1')).toEqual(next);
      }));

    it('refuses an update made from a stale version and keeps the stored job', () =>
      withStore(async (store) => {
        // Prepare
        const job = queuedJob('job-1', 0);
        await store.putIfAbsent(job);
        const claimed = advance(job, { type: 'dispatch.claimed' }, at(1));
        await store.update(claimed);
        const staleCancel = advance(job, { type: 'cancelled', reason: 'operator' }, at(2));

        // Act
        const attempt = store.update(staleCancel);

        // Assess
        await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
        await expect(attempt).rejects.toMatchObject({ code: 'VersionConflict', retryable: true });
        expect(await store.get('job-1')).toEqual(claimed);
      }));

    it('refuses an update of a job that was never created', () =>
      withStore(async (store) => {
        // Prepare
        const ghost = advance(queuedJob('job-ghost', 0), { type: 'dispatch.claimed' }, at(1));

        // Act
        const attempt = store.update(ghost);

        // Assess
        await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
        expect(await store.get('job-ghost')).toBeUndefined();
      }));

    it('lets exactly one of two concurrent updates from the same version win', () =>
      withStore(async (store) => {
        // Prepare
        const job = queuedJob('job-1', 0);
        await store.putIfAbsent(job);
        const claim = advance(job, { type: 'dispatch.claimed' }, at(1));
        const cancel = advance(job, { type: 'cancelled', reason: 'operator' }, at(1));

        // Act
        const outcomes = await Promise.allSettled([store.update(claim), store.update(cancel)]);

        // Assess
        const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]?.status === 'rejected' && lost[0].reason).toBeInstanceOf(VersionConflictError);
        const winner = won[0]?.status === 'fulfilled' ? won[0].value : undefined;
        expect(await store.get('job-1')).toEqual(winner);
        expect(ids(await store.listInFlight())).toEqual(winner?.status === JobStatus.Cancelled ? [] : ['job-1']);
      }));

    it('lists exactly the jobs in flight, including outcomes whose notification is pending', () =>
      withStore(async (store) => {
        // Prepare
        await store.putIfAbsent(queuedJob('queued', 1));
        await store.putIfAbsent(finishedJob('done-quiet', 2));
        await store.putIfAbsent(finishedJob('done-notifying', 3, ['ops']));
        const delivered = finishedJob('done-notified', 4, ['ops']);
        await store.putIfAbsent(delivered);
        await store.update(advance(delivered, { type: 'webhook.delivered', eventId: delivered.notification.eventId!, webhook: 'ops' }, at(9)));

        // Act
        const inFlight = await store.listInFlight();

        // Assess
        expect(ids(inFlight)).toEqual(['queued', 'done-notifying']);
        expect(inFlight[1]?.notification.status).toBe(NotificationStatus.Pending);
      }));

    it('follows a job leaving flight and coming back into it', () =>
      withStore(async (store) => {
        // Prepare
        let job = queuedJob('job-1', 0);
        await store.putIfAbsent(job);
        job = await store.update(advance(job, { type: 'dispatch.claimed' }, at(1)));
        job = await store.update(advance(job, { type: 'dispatch.rejected', error: { code: 'Quota', message: 'no' } }, at(2)));

        // Act
        const whileFailed = ids(await store.listInFlight());
        job = await store.update(advance(job, { type: 'reopened' }, at(60)));
        const whileReopened = await store.listInFlight();

        // Assess
        expect(whileFailed).toEqual([]);
        expect(whileReopened).toEqual([job]);
        expect(job.round).toBe(2);
      }));

    it('lists jobs by policy and status, oldest first and by id on equal creation times', () =>
      withStore(async (store) => {
        // Prepare
        await store.putIfAbsent(queuedJob('b-second', 5, 'weekly'));
        await store.putIfAbsent(queuedJob('z-first', 1, 'nightly'));
        await store.putIfAbsent(queuedJob('a-second', 5, 'nightly'));
        await store.putIfAbsent(finishedJob('c-done', 3));

        // Act
        const all = await store.list();
        const nightly = await store.list({ policy: 'nightly' });
        const queued = await store.list({ statuses: [JobStatus.Queued] });
        const nightlyDone = await store.list({ policy: 'nightly', statuses: [JobStatus.Available, JobStatus.Failed] });
        const none = await store.list({ statuses: [] });

        // Assess
        expect(ids(all)).toEqual(['z-first', 'c-done', 'a-second', 'b-second']);
        expect(ids(nightly)).toEqual(['z-first', 'c-done', 'a-second']);
        expect(ids(queued)).toEqual(['z-first', 'a-second', 'b-second']);
        expect(ids(nightlyDone)).toEqual(['c-done']);
        expect(none).toEqual([]);
      }));

    it('skips a corrupt row when listing, and refuses to read it with an error naming the job', () =>
      withStore(async (store, subject) => {
        // Prepare
        await store.putIfAbsent(queuedJob('job-1', 0));
        await store.putIfAbsent(queuedJob('job-2', 1));
        await subject.corrupt('job-1');
        // Act
        const listed = await store.list();
        const inFlight = await store.listInFlight();
        const read = store.get('job-1');
        // Assess
        expect(ids(listed)).toEqual(['job-2']);
        expect(ids(inFlight)).toEqual(['job-2']);
        await expect(read).rejects.toMatchObject({ code: CORRUPT_JOB_CODE, retryable: false, message: expect.stringContaining('job-1') });
      }));

    it('sets a corrupt row aside, keeps it for an operator, and frees its id', () =>
      withStore(async (store, subject) => {
        // Prepare
        await store.putIfAbsent(queuedJob('job-1', 0));
        await subject.corrupt('job-1');
        // Act
        await store.setAside('job-1', 'stored job job-1 is corrupt');
        await store.setAside('job-1', 'again: nothing there any more');
        await store.setAside('job-never', 'nothing there');
        const recreated = await store.putIfAbsent(queuedJob('job-1', 5));
        // Assess
        expect(recreated.created).toBe(true);
        expect(await store.get('job-1')).toEqual(recreated.job);
        expect(ids(await store.listInFlight())).toEqual(['job-1']);
        const aside = await store.listSetAside();
        expect(aside.map((row) => [row.id, row.reason])).toEqual([['job-1', 'stored job job-1 is corrupt']]);
      }));

    it('updates many jobs at once, each from its stored version, and listInFlight follows them in and out of flight', () =>
      withStore(async (store) => {
        // Prepare
        const staying = copyingJob('staying', 0);
        const finishing = copyingJob('finishing', 1);
        let reopening = queuedJob('reopening', 2);
        await Promise.all([staying, finishing, reopening].map((job) => store.putIfAbsent(job)));
        reopening = await store.update(advance(reopening, { type: 'dispatch.claimed' }, at(3)));
        reopening = await store.update(advance(reopening, { type: 'dispatch.rejected', error: { code: 'Quota', message: 'no' } }, at(4)));
        const beforeBatch = ids(await store.listInFlight());
        const next = [
          progressed(staying, 40),
          advance(finishing, { type: 'copy.observed', state: CopyState.Available }, at(41)),
          advance(reopening, { type: 'reopened' }, at(60)),
        ];

        // Act
        const outcomes = await updateManyOf(store)(next);

        // Assess
        expect(beforeBatch).toEqual(['staying', 'finishing']);
        expect(outcomes).toEqual(next.map((job) => ({ id: job.id, status: 'stored', job })));
        expect(await Promise.all(next.map((job) => store.get(job.id)))).toEqual(next);
        expect(ids(await store.listInFlight())).toEqual(['staying', 'reopening']);
      }));

    it('answers a conflict for a stale job and for one never created, and stores the others of the batch', () =>
      withStore(async (store) => {
        // Prepare
        const fresh = copyingJob('fresh', 0);
        const stale = copyingJob('stale', 1);
        await store.putIfAbsent(fresh);
        await store.putIfAbsent(stale);
        const winner = await store.update(progressed(stale, 10));
        const ghost = progressed(copyingJob('ghost', 2), 50);

        // Act
        const outcomes = await updateManyOf(store)([progressed(stale, 20), progressed(fresh, 30), ghost]);

        // Assess
        expect(statuses(outcomes)).toEqual([
          ['stale', 'conflict'],
          ['fresh', 'stored'],
          ['ghost', 'conflict'],
        ]);
        expect(outcomes[0]).toMatchObject({ error: { code: 'VersionConflict', retryable: true } });
        expect(await store.get('stale')).toEqual(winner);
        expect((await store.get('fresh'))?.progressPercent).toBe(30);
        expect(await store.get('ghost')).toBeUndefined();
        expect(ids(await store.listInFlight())).toEqual(['fresh', 'stale']);
      }));

    it('refuses a batch that names one job twice, and stores none of it', () =>
      withStore(async (store) => {
        // Prepare
        const job = copyingJob('job-1', 0);
        await store.putIfAbsent(job);

        // Act
        const attempt = updateManyOf(store)([progressed(job, 10), progressed(job, 20)]);

        // Assess
        await expect(attempt).rejects.toMatchObject({ code: 'InvalidArgument', retryable: false });
        expect(await store.get('job-1')).toEqual(job);
      }));

    it('updates more jobs than one batch request holds, and nothing for an empty batch', () =>
      withStore(async (store) => {
        // Prepare
        const jobs = Array.from({ length: 230 }, (_, index) => copyingJob(`job-${String(index).padStart(3, '0')}`, 0));
        for (const job of jobs) await store.putIfAbsent(job);
        const next = jobs.map((job, index) => progressed(job, index % 100));

        // Act
        const none = await updateManyOf(store)([]);
        const outcomes = await updateManyOf(store)(next);

        // Assess
        expect(none).toEqual([]);
        expect(outcomes.every((outcome) => outcome.status === 'stored')).toBe(true);
        expect(await store.listInFlight()).toEqual(next);
      }));

    it('round-trips every field of a fully populated job, and of one with the optional fields unset', () =>
      withStore(async (store) => {
        // Prepare
        const full = fullyPopulatedJob();
        const sparse = queuedJob('job-sparse', 0);
        const next: Job = { ...full, version: full.version + 1, destinationImageId: undefined, notBefore: undefined };

        // Act
        await store.putIfAbsent(full);
        await store.putIfAbsent(sparse);
        const readFull = await store.get(full.id);
        await store.update(next);
        const readNext = await store.get(full.id);

        // Assess
        expect(readFull).toStrictEqual(JSON.parse(JSON.stringify(full)));
        expect(await store.get(sparse.id)).toStrictEqual(JSON.parse(JSON.stringify(sparse)));
        expect(readNext).toEqual(next);
        expect(readNext).not.toHaveProperty('destinationImageId', 'm-dst');
        expect(ids(await store.listInFlight())).toEqual([sparse.id, full.id]);
      }));
  });
};
