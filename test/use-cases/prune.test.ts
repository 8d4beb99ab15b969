import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import { COPY_PARTLY_DELETED, PartialDeletionError, RetryableError, TerminalError } from '../../shared/core/domain/errors';
import { ReplicaTag } from '../../shared/core/domain/image';
import { type Job, JobStatus } from '../../shared/core/domain/job';
import { continuePrune, createPrune } from '../../shared/core/use-cases/prune';
import { ImageUseState } from '../../shared/core/ports/copy-provider';
import { createJobWriter } from '../../shared/core/use-cases/job-writer';
import { createJsonLogger, silentLogger } from '../../shared/platform/logging/json-logger';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { storedJob } from '../helpers/stored-job';

/** Two regions; per region the newest copy of the golden- images is kept, older ones deleted. */
const POLICY = `
version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }, { region: cn-beijing }]
    retention: { keepNewest: 1, groupBy: name-prefix, namePrefixes: [golden-] }
`;
const HOUR = 3_600_000;

describe('retention when the provider cannot answer for one copy', () => {
  let clock: ManualClock;
  let images: FakeCopyProvider;
  let jobs: InMemoryJobStore;

  beforeEach(() => {
    clock = new ManualClock('2026-03-01T00:00:00Z');
    images = new FakeCopyProvider();
    jobs = new InMemoryJobStore();
  });

  /** A finished copy of `name` in `region`, made now: its job available, its image tagged ours. */
  const copied = async (name: string, region: string, sourceMadeAt?: string): Promise<Job> => {
    const source = images.addImage({ id: `m-${name}`, region: 'cn-hangzhou', name, sizeGiB: 10, tags: { role: 'golden' }, ...(sourceMadeAt === undefined ? {} : { createdAt: sourceMadeAt }) });
    const copyId = `m-${name}-${region}`;
    const job = await storedJob(
      { jobs, clock, config: testPolicyConfig(POLICY) },
      source,
      region,
      { type: 'dispatch.claimed' },
      { type: 'copy.accepted', handle: copyId, destinationImageId: copyId },
      { type: 'copy.observed', state: 'available' },
    );
    images.addImage({ id: copyId, region, name, sizeGiB: 10, tags: { [ReplicaTag.Managed]: 'true', [ReplicaTag.Job]: job.id } });
    return job;
  };

  it('leaves that copy for the next pass and goes on with the others', async () => {
    // Prepare: an old and a new version in both regions; asking about copies in Beijing is throttled
    const oldShanghai = await copied('golden-a', 'cn-shanghai');
    const oldBeijing = await copied('golden-a', 'cn-beijing');
    clock.advance(HOUR);
    await copied('golden-b', 'cn-shanghai');
    await copied('golden-b', 'cn-beijing');
    const inUse = images.imageInUse.bind(images);
    images.imageInUse = async (image) => {
      if (image.region === 'cn-beijing') throw new RetryableError('Throttling.User', 'Request was denied due to user flow control.');
      return inUse(image);
    };
    const prune = createPrune({ config: testPolicyConfig(POLICY), providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger });

    // Act
    const outcome = await prune({ dryRun: false });

    // Assess
    expect(outcome).toMatchObject({ deleted: 1, refused: 0, deferred: [oldBeijing.id] });
    expect((await jobs.get(oldShanghai.id))?.status).toBe(JobStatus.Pruned);
    expect((await jobs.get(oldBeijing.id))?.status).toBe(JobStatus.Pruning);
    expect(images.deleted).toEqual(['m-golden-a-cn-shanghai']);
  });

  it('ends a copy pruned though the provider kept a part of it, and records and logs what is still billed', async () => {
    // Prepare: the provider deletes the image and keeps one snapshot, as ECS does for one a disk was made from
    const old = await copied('golden-a', 'cn-shanghai');
    clock.advance(HOUR);
    await copied('golden-b', 'cn-shanghai');
    images.leaveBehind = [{ id: 's-data0001', why: 'SnapshotCreatedDisk: The snapshot has been used to create disks.' }];
    const lines: string[] = [];
    const logger = createJsonLogger({ sink: (line) => lines.push(line), clock: () => clock.now() });
    const prune = createPrune({ config: testPolicyConfig(POLICY), providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger });

    // Act
    const outcome = await prune({ dryRun: false });

    // Assess
    expect(outcome).toMatchObject({ deleted: 1, refused: 0 });
    expect(images.deleted).toEqual(['m-golden-a-cn-shanghai']);
    expect(await jobs.get(old.id)).toMatchObject({ status: JobStatus.Pruned, leftBehind: images.leaveBehind, lastError: undefined });
    const warned = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.level === 'warn');
    expect(warned).toMatchObject({ message: expect.stringMatching(/kept some of its parts, still billed/), jobId: old.id, leftBehind: ['"s-data0001"'] });
  });

  it('goes on with a deletion whose image went and a snapshot did not, never asking again who uses the image, and never sends the job back to available', async () => {
    // Prepare: the first deletion removes the image and is throttled on a snapshot; then nobody can tell about users
    const old = await copied('golden-a', 'cn-shanghai');
    clock.advance(HOUR);
    await copied('golden-b', 'cn-shanghai');
    const remove = images.deleteCopy.bind(images);
    let tries = 0;
    images.deleteCopy = async (copy) => {
      tries += 1;
      const deleted = await remove(copy);
      if (tries === 1) throw new RetryableError(COPY_PARTLY_DELETED, 'the copy has no image left in cn-shanghai, and its snapshot s-1 is not deleted yet: Throttling.User');
      return deleted;
    };
    const queues = recordingQueues();
    const prune = createPrune({ config: testPolicyConfig(POLICY), providers: fakeProviders(images), jobs, queues, clock, logger: silentLogger });
    const first = await prune({ dryRun: false });
    const asked = { count: 0 };
    images.imageInUse = async () => {
      asked.count += 1;
      return { state: ImageUseState.Unknown, why: 'Auto Scaling did not answer' };
    };
    const pruning = await jobs.get(old.id);

    // Act
    const done = await continuePrune({ providers: fakeProviders(images), writer: createJobWriter(jobs, clock, silentLogger, queues.notify), logger: silentLogger, clock }, pruning!);

    // Assess
    expect(first.deferred).toEqual([old.id]);
    expect(pruning).toMatchObject({ status: JobStatus.Pruning, imageGoneAt: clock.now().toISOString(), lastError: { code: COPY_PARTLY_DELETED } });
    expect(done?.status).toBe(JobStatus.Pruned);
    expect([tries, asked.count]).toEqual([2, 0]);
  });

  it('gives up a part that fails for good a day after the image went, ending the job pruned with that part left behind', async () => {
    // Prepare: the image goes, then its snapshots cannot be deleted (a missing permission) on every try
    const old = await copied('golden-a', 'cn-shanghai');
    clock.advance(HOUR);
    await copied('golden-b', 'cn-shanghai');
    const remove = images.deleteCopy.bind(images);
    images.deleteCopy = async (copy) => {
      await remove(copy);
      throw new PartialDeletionError('the copy has no image left in cn-shanghai, and its snapshot s-1 is not deleted yet: Forbidden.RAM', { retryable: false, remaining: ['s-1', 's-2'] });
    };
    const queues = recordingQueues();
    const deps = { providers: fakeProviders(images), writer: createJobWriter(jobs, clock, silentLogger, queues.notify), logger: silentLogger, clock };
    await createPrune({ config: testPolicyConfig(POLICY), providers: fakeProviders(images), jobs, queues, clock, logger: silentLogger })({ dryRun: false });
    const tryAt = async (hours: number) => {
      clock.advance(hours * HOUR);
      const job = await jobs.get(old.id);
      return continuePrune(deps, job!).then(
        (done) => done?.status,
        (error: unknown) => (error as { code: string }).code,
      );
    };

    const recorded = (await jobs.get(old.id))?.version;

    // Act
    const early = await tryAt(23);
    const afterEarly = (await jobs.get(old.id))?.version;
    const late = await tryAt(2);

    // Assess: the same failure a day long is written once, then given up
    expect(early).toBe(COPY_PARTLY_DELETED);
    expect(afterEarly).toBe(recorded);
    expect(late).toBe(JobStatus.Pruned);
    expect(await jobs.get(old.id)).toMatchObject({ leftBehind: [{ id: 's-1', why: expect.stringMatching(/Forbidden.RAM/) }, { id: 's-2' }] });
  });

  it('names a region whose copies cannot be listed and goes on with the others', async () => {
    // Prepare: Beijing's listing comes back broken (not a moment's trouble)
    const oldShanghai = await copied('golden-a', 'cn-shanghai');
    const oldBeijing = await copied('golden-a', 'cn-beijing');
    clock.advance(HOUR);
    await copied('golden-b', 'cn-shanghai');
    await copied('golden-b', 'cn-beijing');
    const list = images.listReplicas.bind(images);
    images.listReplicas = async (region) => (region === 'cn-beijing' ? Promise.reject(new TerminalError('UnexpectedResponse', 'the answer could not be read')) : list(region));
    const prune = createPrune({ config: testPolicyConfig(POLICY), providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger });

    // Act
    const outcome = await prune({ dryRun: false });

    // Assess
    expect(outcome).toMatchObject({ deleted: 1, deferred: [], failed: [{ policy: 'golden', region: 'cn-beijing', code: 'UnexpectedResponse', message: 'the answer could not be read' }] });
    expect((await jobs.get(oldShanghai.id))?.status).toBe(JobStatus.Pruned);
    expect((await jobs.get(oldBeijing.id))?.status).toBe(JobStatus.Available);
  });

  it('keeps the copy of the newest version, though an older version’s copy ended later', async () => {
    // Prepare: golden-b is baked an hour after golden-a, but golden-a's copy ends last (a retry, a slow link)
    const newer = await copied('golden-b', 'cn-shanghai', '2026-02-28T01:00:00.000Z');
    clock.advance(HOUR);
    const older = await copied('golden-a', 'cn-shanghai', '2026-02-28T00:00:00.000Z');
    const prune = createPrune({ config: testPolicyConfig(POLICY), providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger });

    // Act
    const outcome = await prune({ dryRun: false });

    // Assess
    expect(outcome).toMatchObject({ deleted: 1 });
    expect(images.deleted).toEqual(['m-golden-a-cn-shanghai']);
    expect((await jobs.get(newer.id))?.status).toBe(JobStatus.Available);
    expect((await jobs.get(older.id))?.status).toBe(JobStatus.Pruned);
  });

  it('orders a job made before jobs recorded their source’s time by when the job was made, not by when its copy ended', async () => {
    // Prepare: golden-a's job is from before the field (its source seen first), and its copy ended after golden-b's
    const legacy = await copied('golden-a', 'cn-shanghai');
    clock.advance(HOUR);
    const newer = await copied('golden-b', 'cn-shanghai', clock.now().toISOString());
    const endedLater = new Date(clock.now().getTime() + HOUR).toISOString();
    await jobs.update({ ...legacy, version: legacy.version + 1, finishedAt: endedLater, source: { ...legacy.source, createdAt: undefined } });
    const prune = createPrune({ config: testPolicyConfig(POLICY), providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger });

    // Act
    await prune({ dryRun: false });

    // Assess
    expect(images.deleted).toEqual(['m-golden-a-cn-shanghai']);
    expect((await jobs.get(newer.id))?.status).toBe(JobStatus.Available);
  });

  it('leaves the copies it has no time for to the next run, as deferred, once the invocation runs short', async () => {
    // Prepare: three versions in Shanghai, two past retention; time for the region and one copy only
    await copied('golden-a', 'cn-shanghai');
    clock.advance(HOUR);
    const middle = await copied('golden-b', 'cn-shanghai');
    clock.advance(HOUR);
    await copied('golden-c', 'cn-shanghai');
    let asked = 0;
    const deadline = { allows: () => (asked += 1) <= 2, remainingMs: () => 0 };
    const prune = createPrune({ config: testPolicyConfig(POLICY), providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger, deadline });

    // Act
    const outcome = await prune({ dryRun: false });

    // Assess
    expect(images.deleted).toEqual(['m-golden-b-cn-shanghai']);
    expect((await jobs.get(middle.id))?.status).toBe(JobStatus.Pruned);
    expect(outcome.deferred).toHaveLength(1);
    expect(outcome).toMatchObject({ deleted: 1 });
  });
});
