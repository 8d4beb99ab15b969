import { FIRST_LOOK_SECONDS } from '../../shared/core/domain/look-schedule';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import { ImageState, ReplicaTag } from '../../shared/core/domain/image';
import { JobStatus } from '../../shared/core/domain/job';
import { createPollStatus } from '../../shared/core/use-cases/poll-status';
import { createStartCopy } from '../../shared/core/use-cases/start-copy';
import { longestFirst } from '../../shared/core/use-cases/dispatch';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';

const fanOut = (relay: boolean) => `
version: 1
policies:
  - name: fan
    relay: ${relay}
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }, { region: cn-beijing }, { region: cn-shenzhen }]
`;

const setup = (relay: boolean) => {
  const clock = new ManualClock('2026-03-01T00:00:00Z');
  const images = new FakeCopyProvider();
  const jobs = new InMemoryJobStore();
  const queues = recordingQueues();
  const config = testPolicyConfig(fanOut(relay));
  const deps = { config, providers: fakeProviders(images), jobs, queues, clock, logger: silentLogger };
  images.addImage({ id: 'm-src', region: 'cn-hangzhou', sizeGiB: 20, tags: { role: 'golden' } });
  const pollStatus = createPollStatus(deps);
  // A copy is first looked at a little after it starts (look-schedule.ts): the poll comes then.
  const poll = async () => {
    clock.advance(FIRST_LOOK_SECONDS * 1000);
    return pollStatus();
  };
  return { clock, images, jobs, startCopy: createStartCopy(deps), poll };
};

/** The provider finishes every running copy. */
const finishAll = (images: FakeCopyProvider) => {
  for (const image of images.images.values()) if (image.state === ImageState.Pending) image.state = ImageState.Available;
};

describe('relay fan-out', () => {
  it('copies from a finished replica while the source is busy, and the copy says it comes from the source', async () => {
    // Prepare: one copy of the source runs at a time
    const { images, jobs, startCopy, poll } = setup(true);
    await startCopy({ kind: 'sweep' });
    expect(images.requests).toHaveLength(1);
    finishAll(images);
    // Act: the poll sees the first copy available and offers it to the others; a dispatch follows
    await poll();
    await startCopy({ kind: 'dispatch', reason: 'test' });
    // Assess
    const [, ...after] = images.requests;
    expect(after).toHaveLength(2);
    expect(after.map((r) => r.source.imageId).sort()).toEqual(['m-copy1', 'm-src']);
    const relayed = after.find((r) => r.source.imageId === 'm-copy1')!;
    expect(relayed.source.region).toBe(images.requests[0]?.destination.region);
    expect(relayed.destination.tags[ReplicaTag.SourceImage]).toBe('m-src');
    expect(relayed.destination.tags[ReplicaTag.SourceRegion]).toBe('cn-hangzhou');
    expect((await jobs.list()).filter((job) => job.status === JobStatus.Copying)).toHaveLength(2);
  });

  it('copies from the source only when the policy turns relaying off', async () => {
    // Prepare
    const { images, startCopy, poll } = setup(false);
    await startCopy({ kind: 'sweep' });
    finishAll(images);
    // Act
    await poll();
    await startCopy({ kind: 'dispatch', reason: 'test' });
    // Assess
    expect(images.requests.map((r) => r.source.imageId)).toEqual(['m-src', 'm-src']);
  });

  it('keeps the replica an attempt chose when the attempt is retried after an unknown outcome', async () => {
    // Prepare
    const { images, jobs, clock, startCopy, poll } = setup(true);
    await startCopy({ kind: 'sweep' });
    finishAll(images);
    await poll();
    // The relayed start loses its answer; the source-side start goes through.
    images.failNextCopy({ kind: 'unknown', code: 'AnswerLost', message: 'reset' });
    await startCopy({ kind: 'dispatch', reason: 'test' });
    const chosen = (await jobs.list()).find((job) => job.lastError?.code === 'AnswerLost');
    // Act
    clock.advance(60_000);
    await startCopy({ kind: 'dispatch', reason: 'retry' });
    // Assess
    const retries = images.requests.filter((r) => r.jobId === chosen?.id);
    expect(retries).toHaveLength(2);
    expect(retries[1]?.source).toEqual(retries[0]?.source);
    expect(retries[1]?.idempotencyToken).toBe(retries[0]?.idempotencyToken);
  });

  it('keeps the source an attempt chose when the attempt is retried after an unknown outcome and a replica is ready', async () => {
    // Prepare: the first start loses its answer and is deferred; another job takes the source,
    // finishes, and is offered as a replica; a third takes the source while the first waits
    const { images, clock, startCopy, poll } = setup(true);
    images.failNextCopy({ kind: 'unknown', code: 'AnswerLost', message: 'reset' });
    await startCopy({ kind: 'sweep' });
    const [lost] = images.requests;
    await startCopy({ kind: 'dispatch', reason: 'test' });
    finishAll(images);
    await poll();
    await startCopy({ kind: 'dispatch', reason: 'test' });
    // Act: the first job's retry, its source busy
    clock.advance(60_000);
    await startCopy({ kind: 'dispatch', reason: 'retry' });
    // Assess
    const retries = images.requests.filter((r) => r.jobId === lost?.jobId);
    expect(retries).toHaveLength(2);
    expect(retries[1]?.idempotencyToken).toBe(retries[0]?.idempotencyToken);
    expect(retries[1]?.source).toEqual(retries[0]?.source);
  });
});

describe('longest-first order', () => {
  it('starts the source image with the most work left first, whatever the creation times', () => {
    // Prepare
    const job = (id: string, imageId: string, sizeGiB: number, createdAt: string) =>
      ({ id, provider: 'alibaba', account: 'default', source: { region: 'cn-hangzhou', imageId, sizeGiB }, createdAt }) as never;
    const queued = [job('a', 'm-small', 10, '2026-01-01'), job('b', 'm-big', 500, '2026-01-03'), job('c', 'm-small', 10, '2026-01-02'), job('d', 'm-big', 500, '2026-01-04')];
    // Act
    const order = longestFirst(queued).map((j: { id: string }) => j.id);
    const reversed = longestFirst([...queued].reverse()).map((j: { id: string }) => j.id);
    // Assess
    expect(order).toEqual(['b', 'd', 'a', 'c']);
    expect(reversed).toEqual(order);
  });
});

describe('the order by plans', () => {
  it('starts the image whose plan ends last first, even with less copy work left', () => {
    // Prepare: m-far has less work but a far chain (its plan ends in 5 h); m-near's ends in 1 h
    const job = (id: string, imageId: string, sizeGiB: number) => ({ id, provider: 'alibaba', account: 'default', source: { region: 'cn-hangzhou', imageId, sizeGiB } }) as never;
    const queued = [job('a', 'm-near', 500), job('b', 'm-far', 50), job('c', 'm-near', 500)];
    const dueInMs = (j: { source: { imageId: string } }) => (j.source.imageId === 'm-far' ? 5 : 1) * 3_600_000;
    // Act
    const order = longestFirst(queued, () => 0, dueInMs).map((j: { id: string }) => j.id);
    // Assess
    expect(order).toEqual(['b', 'a', 'c']);
  });

  it('within an image, starts the copies in the order of their planned starts', () => {
    // Prepare
    const job = (id: string) => ({ id, provider: 'alibaba', account: 'default', source: { region: 'cn-hangzhou', imageId: 'm-1', sizeGiB: 50 } }) as never;
    const plannedStart: Record<string, number> = { a: 3_600, b: 0, c: 600 };
    // Act
    const order = longestFirst([job('a'), job('b'), job('c')], (j: { id: string }) => plannedStart[j.id] ?? 0, () => 1_000).map((j: { id: string }) => j.id);
    // Assess
    expect(order).toEqual(['b', 'c', 'a']);
  });
});

describe('the order with a plan that is not a number', () => {
  it('orders that image by its copy work, the same whatever the input order', () => {
    // Prepare: m-b's plan came out as NaN; m-a and m-c are planned
    const job = (id: string, imageId: string, sizeGiB: number) => ({ id, provider: 'alibaba', account: 'default', source: { region: 'cn-hangzhou', imageId, sizeGiB } }) as never;
    const due: Record<string, number> = { 'm-a': 3_600_000, 'm-b': Number.NaN, 'm-c': 7_200_000 };
    const queued = [job('a', 'm-a', 10), job('b', 'm-b', 150), job('c', 'm-c', 10)];
    const dueInMs = (j: { source: { imageId: string } }) => due[j.source.imageId];
    // Act
    const orders = [queued, [...queued].reverse(), [queued[1], queued[2], queued[0]]].map((input) => longestFirst(input as never[], () => 0, dueInMs).map((j: { id: string }) => j.id));
    // Assess: m-b counts 150 GiB at 100 GiB/h (1.5 h): after m-c (2 h), before m-a (1 h)
    expect(orders).toEqual([['c', 'b', 'a'], ['c', 'b', 'a'], ['c', 'b', 'a']]);
  });
});
