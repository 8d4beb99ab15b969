import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import { type CopySpeeds, pairKey } from '../../shared/core/domain/copy-speed';
import { ImageState } from '../../shared/core/domain/image';
import { type Job, JobStatus } from '../../shared/core/domain/job';
import { createPollStatus } from '../../shared/core/use-cases/poll-status';
import { createStartCopy } from '../../shared/core/use-cases/start-copy';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { InMemorySpeedBook } from '../fakes/in-memory-speed-book';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { storedJob } from '../helpers/stored-job';
import { copySpeeds } from '../helpers/copy-speeds';

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
const MINUTE = 60_000;
const speeds = (pairs: Record<string, number>): CopySpeeds => copySpeeds(pairs, { samples: 4, at: START });
/** The pair of a copy to eu-central-1 from the source region. */
const DIRECT = pairKey('cn-hangzhou', 'eu-central-1');

describe('the first look at a copy over a link already observed', () => {
  let clock: ManualClock;
  let images: FakeCopyProvider;
  let jobs: InMemoryJobStore;
  let book: InMemorySpeedBook;
  let dispatch: () => Promise<unknown>;
  let poll: ReturnType<typeof createPollStatus>;
  let stored: (...events: Parameters<typeof storedJob>[3][]) => Promise<Job>;

  beforeEach(() => {
    clock = new ManualClock(START);
    images = new FakeCopyProvider();
    jobs = new InMemoryJobStore();
    book = new InMemorySpeedBook();
    const deps = { providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger, speeds: book };
    const startCopy = createStartCopy({ ...deps, config: testPolicyConfig(POLICY) });
    dispatch = () => startCopy({ kind: 'dispatch', reason: 'test' });
    poll = createPollStatus(deps);
    const source = images.addImage({ id: 'm-src', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    stored = (...events) => storedJob({ jobs, clock, config: testPolicyConfig(POLICY) }, source, 'eu-central-1', ...events);
  });

  const looks = () => images.calls.filter((call) => call.op === 'observeCopies').length;
  const copying = async (): Promise<Job> => {
    const [job] = await jobs.listInFlight();
    if (job === undefined) throw new Error('no copy started');
    return job;
  };

  it('waits until halfway through the time copies there took', async () => {
    // Prepare: 100 GiB at 600 GiB/h: ten minutes
    await stored();
    await book.writeSpeeds(SCOPE, speeds({ [DIRECT]: 600 }));
    await dispatch();
    const job = await copying();
    // Act
    clock.advance(3 * MINUTE);
    await poll();
    const before = looks();
    clock.advance(2 * MINUTE);
    await poll();
    // Assess
    expect(job.expectedDoneAt).toBe('2026-03-01T00:05:00.000Z');
    expect(before).toBe(0);
    expect(looks()).toBe(1);
  });

  it('is aimed by the link the copy takes: a replica’s, when it comes from one', async () => {
    // Prepare: a replica in ap-southeast-1 over a link four times as fast as the source's
    images.addImage({ id: 'm-ap', region: 'ap-southeast-1', sizeGiB: 100 });
    await stored({ type: 'relay.available', relay: { region: 'ap-southeast-1', imageId: 'm-ap' } });
    await book.writeSpeeds(SCOPE, speeds({ [DIRECT]: 150, [pairKey('ap-southeast-1', 'eu-central-1')]: 600 }));
    // Act
    await dispatch();
    // Assess: five minutes (half of ten), not the source link's twenty
    const job = await copying();
    expect(images.requests.map((request) => request.source.region)).toEqual(['ap-southeast-1']);
    expect(job.expectedDoneAt).toBe('2026-03-01T00:05:00.000Z');
  });

  it('reads a link seen only the other way as the same link', async () => {
    // Prepare
    await stored();
    await book.writeSpeeds(SCOPE, speeds({ [pairKey('eu-central-1', 'cn-hangzhou')]: 600 }));
    // Act
    await dispatch();
    // Assess
    expect((await copying()).expectedDoneAt).toBe('2026-03-01T00:05:00.000Z');
  });

  it('sees a copy the speeds call far too slow ten minutes in at the latest', async () => {
    // Prepare: the book says 10 GiB/h (ten hours for 100 GiB); the copy is done in three minutes
    await stored();
    await book.writeSpeeds(SCOPE, speeds({ [DIRECT]: 10 }));
    await dispatch();
    const job = await copying();
    clock.advance(3 * MINUTE);
    images.setState(job.destinationImageId ?? '', ImageState.Available);
    await poll();
    const early = await jobs.get(job.id);
    // Act
    clock.advance(7 * MINUTE);
    await poll();
    // Assess
    expect(early?.status).toBe(JobStatus.Copying);
    expect((await jobs.get(job.id))?.status).toBe(JobStatus.Available);
    expect(looks()).toBe(1);
  });

  it('comes two minutes in when nothing was seen of the link', async () => {
    // Prepare
    await stored();
    await dispatch();
    const job = await copying();
    // Act
    clock.advance(2 * MINUTE);
    await poll();
    // Assess
    expect(job.expectedDoneAt).toBeUndefined();
    expect(looks()).toBe(1);
  });

  it('starts the copy, aimed the usual way, when the speeds cannot be read', async () => {
    // Prepare
    await stored();
    book.readSpeeds = () => Promise.reject(new Error('table unavailable'));
    // Act
    await dispatch();
    // Assess
    const job = await copying();
    expect(job.status).toBe(JobStatus.Copying);
    expect(job.expectedDoneAt).toBeUndefined();
  });
});
