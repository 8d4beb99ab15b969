import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import { pairKey } from '../../shared/core/domain/copy-speed';
import { type CloudImage, ImageState, ReplicaTag } from '../../shared/core/domain/image';
import { type Job, type JobEvent, JobStatus } from '../../shared/core/domain/job';
import { createPollStatus } from '../../shared/core/use-cases/poll-status';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { InMemorySpeedBook } from '../fakes/in-memory-speed-book';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { storedJob } from '../helpers/stored-job';

const SCOPE = 'alibaba/default';

describe('recording how fast copies go', () => {
  let clock: ManualClock;
  let images: FakeCopyProvider;
  let jobs: InMemoryJobStore;
  let book: InMemorySpeedBook;
  let poll: ReturnType<typeof createPollStatus>;

  beforeEach(() => {
    clock = new ManualClock('2026-03-01T00:00:00Z');
    images = new FakeCopyProvider();
    jobs = new InMemoryJobStore();
    book = new InMemorySpeedBook();
    poll = createPollStatus({ providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger, speeds: book });
  });

  /** A 100 GiB copy to cn-shanghai, started now. */
  const stored = (source: CloudImage, ...events: JobEvent[]): Promise<Job> => storedJob({ jobs, clock, config: testPolicyConfig() }, source, 'cn-shanghai', ...events);

  const copying = async (): Promise<Job> => {
    const source = images.addImage({ id: 'm-1', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    const job = await stored(source, { type: 'dispatch.claimed' }, { type: 'copy.accepted', handle: 'm-c1', destinationImageId: 'm-c1' });
    images.addImage({ id: 'm-c1', region: 'cn-shanghai', state: ImageState.Pending, progressPercent: 10, tags: { [ReplicaTag.Managed]: 'true', [ReplicaTag.Job]: job.id } });
    return job;
  };

  it('records the speed of a copy seen finished, for its pair of regions', async () => {
    // Prepare: 100 GiB, available after 30 min
    await copying();
    clock.advance(30 * 60_000);
    images.setState('m-c1', ImageState.Available);
    // Act
    await poll();
    // Assess
    const speeds = await book.readSpeeds(SCOPE);
    expect(speeds[pairKey('cn-hangzhou', 'cn-shanghai')]?.gibPerHour).toBeCloseTo(200);
    expect(book.writes).toBe(1);
  });

  it('times a copy seen late by the end its last percent predicted, not by the late look', async () => {
    // Prepare: at 30 min the copy shows 50 %, which predicts its end about an hour after the start;
    // the next look comes only at 90 min (a throttled region, a lost message)
    await copying();
    clock.advance(30 * 60_000);
    images.setState('m-c1', ImageState.Pending, 50);
    await poll();
    clock.advance(60 * 60_000);
    images.setState('m-c1', ImageState.Available);
    // Act
    await poll();
    // Assess: 100 GiB in 1800 × 100 / 50.5 = 3,564 s, not in 5,400 s (67 GiB/h)
    const speeds = await book.readSpeeds(SCOPE);
    expect(speeds[pairKey('cn-hangzhou', 'cn-shanghai')]?.gibPerHour).toBeCloseTo((100 * 3600) / 3564, 1);
  });

  it('times a copy seen done at its first look by that look: nothing predicted its end', async () => {
    // Prepare: the copy shows no progress until it is seen available
    const source = images.addImage({ id: 'm-1', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    const job = await stored(source, { type: 'dispatch.claimed' }, { type: 'copy.accepted', handle: 'm-c1', destinationImageId: 'm-c1', expectedSeconds: 600 });
    images.addImage({ id: 'm-c1', region: 'cn-shanghai', state: ImageState.Available, tags: { [ReplicaTag.Managed]: 'true', [ReplicaTag.Job]: job.id } });
    // The look aimed at five minutes comes at eight
    clock.advance(8 * 60_000);
    // Act
    await poll();
    // Assess: 100 GiB in 480 s; the aimed look is not an end
    const speeds = await book.readSpeeds(SCOPE);
    expect(speeds[pairKey('cn-hangzhou', 'cn-shanghai')]?.gibPerHour).toBeCloseTo(750);
  });

  it('writes nothing when no copy finished', async () => {
    // Prepare
    await copying();
    clock.advance(30 * 60_000);
    // Act
    await poll();
    // Assess
    expect(book.writes).toBe(0);
  });

  it('finishes the job even when the speeds cannot be kept', async () => {
    // Prepare
    const job = await copying();
    clock.advance(30 * 60_000);
    images.setState('m-c1', ImageState.Available);
    book.writeSpeeds = () => Promise.reject(new Error('table unavailable'));
    // Act
    const outcome = await poll();
    // Assess
    expect(outcome.finished).toBe(1);
    expect((await jobs.get(job.id))?.status).toBe(JobStatus.Available);
  });

  it('keys a relayed copy by the region it came from', async () => {
    // Prepare: the copy comes from a replica in cn-beijing
    const source = images.addImage({ id: 'm-1', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    const relay = { region: 'cn-beijing', imageId: 'm-bj' };
    const job = await stored(source, { type: 'relay.available', relay }, { type: 'dispatch.claimed', relay }, { type: 'copy.accepted', handle: 'm-c1', destinationImageId: 'm-c1' });
    images.addImage({ id: 'm-c1', region: 'cn-shanghai', state: ImageState.Pending, progressPercent: 10, tags: { [ReplicaTag.Managed]: 'true', [ReplicaTag.Job]: job.id } });
    clock.advance(30 * 60_000);
    images.setState('m-c1', ImageState.Available);
    // Act
    await poll();
    // Assess
    expect(Object.keys(await book.readSpeeds(SCOPE))).toEqual([pairKey('cn-beijing', 'cn-shanghai')]);
  });

  it('records nothing for a copy that was found rather than started: its start is not known', async () => {
    // Prepare: an existing copy adopted, seen available two minutes later
    const source = images.addImage({ id: 'm-1', region: 'cn-hangzhou', sizeGiB: 500, tags: { role: 'golden' } });
    const job = await stored(source, { type: 'dispatch.claimed' }, { type: 'copy.accepted', handle: 'm-c1', destinationImageId: 'm-c1', adopted: true });
    images.addImage({ id: 'm-c1', region: 'cn-shanghai', state: ImageState.Available, tags: { [ReplicaTag.Managed]: 'true', [ReplicaTag.Job]: job.id } });
    clock.advance(120_000);
    // Act
    const outcome = await poll();
    // Assess
    expect(outcome.finished).toBe(1);
    expect(book.writes).toBe(0);
  });
});
