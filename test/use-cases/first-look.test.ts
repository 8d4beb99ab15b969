import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import { type CopySpeeds, pairKey } from '../../shared/core/domain/copy-speed';
import { ImageState } from '../../shared/core/domain/image';
import { JobStatus } from '../../shared/core/domain/job';
import { createPollStatus } from '../../shared/core/use-cases/poll-status';
import { createStartCopy } from '../../shared/core/use-cases/start-copy';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { InMemorySpeedBook } from '../fakes/in-memory-speed-book';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { storedJob } from '../helpers/stored-job';

/** One destination: nothing to choose between, the speeds only aim the first look. */
const POLICY = `
version: 1
policies:
  - name: one
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: eu-central-1 }]
`;
const SCOPE = 'alibaba/default';
const START = '2026-03-01T00:00:00.000Z';
const speeds = (gibPerHour: number): CopySpeeds => ({ [pairKey('cn-hangzhou', 'eu-central-1')]: { gibPerHour, samples: 4, at: START } });

describe('the first look at a copy over a link already observed', () => {
  let clock: ManualClock;
  let images: FakeCopyProvider;
  let jobs: InMemoryJobStore;
  let book: InMemorySpeedBook;
  let dispatch: () => Promise<unknown>;
  let poll: ReturnType<typeof createPollStatus>;

  beforeEach(async () => {
    clock = new ManualClock(START);
    images = new FakeCopyProvider();
    jobs = new InMemoryJobStore();
    book = new InMemorySpeedBook();
    const deps = { providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger, speeds: book };
    const startCopy = createStartCopy({ ...deps, config: testPolicyConfig(POLICY) });
    dispatch = () => startCopy({ kind: 'dispatch', reason: 'test' });
    poll = createPollStatus(deps);
    const source = images.addImage({ id: 'm-src', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    await storedJob({ jobs, clock, config: testPolicyConfig(POLICY) }, source, 'eu-central-1');
  });

  const looks = () => images.calls.filter((call) => call.op === 'observeCopies').length;

  it('waits until halfway through the time copies there took', async () => {
    // Prepare: 100 GiB at 200 GiB/h: half an hour
    await book.writeSpeeds(SCOPE, speeds(200));
    await dispatch();
    const [job] = await jobs.listInFlight();
    // Act
    clock.advance(5 * 60_000);
    await poll();
    const before = looks();
    clock.advance(10 * 60_000);
    await poll();
    // Assess
    expect(job?.status).toBe(JobStatus.Copying);
    expect(job?.expectedDoneAt).toBe('2026-03-01T00:15:00.000Z');
    expect(before).toBe(0);
    expect(looks()).toBe(1);
  });

  it('sees a copy the speeds call far too slow by the slow look at the latest', async () => {
    // Prepare: the book says 10 GiB/h (ten hours for 100 GiB); the copy is done in three minutes
    await book.writeSpeeds(SCOPE, speeds(10));
    await dispatch();
    const [job] = await jobs.listInFlight();
    clock.advance(3 * 60_000);
    images.setState(job?.destinationImageId ?? '', ImageState.Available);
    await poll();
    const early = await jobs.get(job?.id ?? '');
    // Act
    clock.advance(27 * 60_000);
    await poll();
    // Assess
    expect(early?.status).toBe(JobStatus.Copying);
    expect((await jobs.get(job?.id ?? ''))?.status).toBe(JobStatus.Available);
    expect(looks()).toBe(1);
  });

  it('comes two minutes in when nothing was seen of the link', async () => {
    // Prepare
    await dispatch();
    const [job] = await jobs.listInFlight();
    // Act
    clock.advance(5 * 60_000);
    await poll();
    // Assess
    expect(job?.expectedDoneAt).toBeUndefined();
    expect(looks()).toBe(1);
  });
});
