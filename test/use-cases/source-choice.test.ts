import { beforeEach, describe, expect, it } from 'vitest';
import { addSeconds, ManualClock } from '../../shared/core/domain/clock';
import { pairKey, type CopySpeeds } from '../../shared/core/domain/copy-speed';
import { type CloudImage, ImageState } from '../../shared/core/domain/image';
import { type Job, type JobEvent, JobStatus } from '../../shared/core/domain/job';
import { createStartCopy } from '../../shared/core/use-cases/start-copy';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { InMemorySpeedBook } from '../fakes/in-memory-speed-book';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { storedJob } from '../helpers/stored-job';
import { copySpeeds } from '../helpers/copy-speeds';

const POLICY = `
version: 1
policies:
  - name: fan
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: ap-southeast-1 }, { region: eu-central-1 }, { region: me-east-1 }]
`;

const SCOPE = 'alibaba/default';
const speeds = (pairs: Record<string, number>): CopySpeeds => copySpeeds(pairs);

describe('choosing where a copy comes from', () => {
  let clock: ManualClock;
  let images: FakeCopyProvider;
  let jobs: InMemoryJobStore;
  let book: InMemorySpeedBook;
  let dispatch: () => Promise<unknown>;
  let sweep: () => Promise<unknown>;

  beforeEach(() => {
    clock = new ManualClock('2026-03-01T00:00:00Z');
    images = new FakeCopyProvider();
    jobs = new InMemoryJobStore();
    book = new InMemorySpeedBook();
    const startCopy = createStartCopy({ config: testPolicyConfig(POLICY), providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger, speeds: book });
    dispatch = () => startCopy({ kind: 'dispatch', reason: 'test' });
    sweep = () => startCopy({ kind: 'sweep' });
  });

  /** The job of `source` to `region`, stored after these events. */
  const stored = (source: CloudImage, region: string, ...events: JobEvent[]): Promise<Job> => storedJob({ jobs, clock, config: testPolicyConfig(POLICY) }, source, region, ...events);

  /** A source image with a finished replica in ap-southeast-1 that the eu-central-1 job heard of. */
  const withReplica = async (sizeGiB: number) => {
    const source = images.addImage({ id: 'm-src', region: 'cn-hangzhou', sizeGiB, tags: { role: 'golden' } });
    images.addImage({ id: 'm-ap', region: 'ap-southeast-1', sizeGiB });
    const job = await stored(source, 'eu-central-1', { type: 'relay.available', relay: { region: 'ap-southeast-1', imageId: 'm-ap' } });
    return { source, job };
  };

  it('copies from a replica whose link is faster than the source’s', async () => {
    // Prepare
    await withReplica(100);
    await book.writeSpeeds(SCOPE, speeds({ [pairKey('cn-hangzhou', 'eu-central-1')]: 80, [pairKey('ap-southeast-1', 'eu-central-1')]: 400 }));
    // Act
    await dispatch();
    // Assess
    expect(images.requests.map((r) => r.source)).toEqual([{ region: 'ap-southeast-1', imageId: 'm-ap', sizeGiB: 100 }]);
  });

  it('copies from the source when its link is the faster one', async () => {
    // Prepare
    await withReplica(100);
    await book.writeSpeeds(SCOPE, speeds({ [pairKey('cn-hangzhou', 'eu-central-1')]: 400, [pairKey('ap-southeast-1', 'eu-central-1')]: 80 }));
    // Act
    await dispatch();
    // Assess
    expect(images.requests.map((r) => r.source.imageId)).toEqual(['m-src']);
  });

  it('without any speed known, takes the first free source, as before', async () => {
    // Prepare
    await withReplica(100);
    // Act
    await dispatch();
    // Assess
    expect(images.requests.map((r) => r.source.imageId)).toEqual(['m-src']);
  });

  it('prefers the source where the provider gains nothing from replicas', async () => {
    // Prepare
    images.copiesFromReplicas = false;
    await withReplica(100);
    await book.writeSpeeds(SCOPE, speeds({ [pairKey('cn-hangzhou', 'eu-central-1')]: 80, [pairKey('ap-southeast-1', 'eu-central-1')]: 400 }));
    // Act
    await dispatch();
    // Assess
    expect(images.requests.map((r) => r.source.imageId)).toEqual(['m-src']);
  });

  describe('a replica still being made', () => {
    /**
     * The me-east-1 job, which heard of a finished replica in ap-southeast-1, and a copy to
     * eu-central-1 running (the source is busy with it), predicted to end in `endsInSeconds`.
     */
    const withCopyUnderWay = async (sizeGiB: number, endsInSeconds: number) => {
      const source = images.addImage({ id: 'm-src', region: 'cn-hangzhou', sizeGiB, tags: { role: 'golden' } });
      images.addImage({ id: 'm-ap', region: 'ap-southeast-1', sizeGiB });
      images.addImage({ id: 'm-eu', region: 'eu-central-1', sizeGiB, state: ImageState.Pending, progressPercent: 50 });
      await stored(
        source,
        'eu-central-1',
        { type: 'dispatch.claimed' },
        { type: 'copy.accepted', handle: 'm-eu', destinationImageId: 'm-eu' },
        { type: 'copy.observed', state: 'running', progressPercent: 50, remainingSeconds: endsInSeconds },
      );
      return stored(source, 'me-east-1', { type: 'relay.available', relay: { region: 'ap-southeast-1', imageId: 'm-ap' } });
    };
    const slowDirectFastRelay = speeds({ [pairKey('ap-southeast-1', 'me-east-1')]: 100, [pairKey('eu-central-1', 'me-east-1')]: 500 });

    it('is waited for when copying from it ends much sooner than a copy from the source now', async () => {
      // Prepare: 200 GiB: 2 h from the finished replica now, 10 min + 24 min from the coming one
      const job = await withCopyUnderWay(200, 600);
      await book.writeSpeeds(SCOPE, slowDirectFastRelay);
      // Act
      await dispatch();
      // Assess: nothing started; the job waits, queued
      expect(images.requests).toEqual([]);
      expect((await jobs.get(job.id))?.status).toBe(JobStatus.Queued);
    });

    it('is not waited for when the saving is small', async () => {
      // Prepare: 5 GiB: 3 min from the finished replica now, against 10 min of waiting
      await withCopyUnderWay(5, 600);
      await book.writeSpeeds(SCOPE, slowDirectFastRelay);
      // Act
      await dispatch();
      // Assess
      expect(images.requests.map((r) => [r.source.imageId, r.destination.region])).toEqual([['m-ap', 'me-east-1']]);
    });

    it('is not waited for while it is still at 0 %: its next look says nothing of its end', async () => {
      // Prepare: the copy under way waits at the provider, 0 %, looked at again in 2 min
      const source = images.addImage({ id: 'm-src', region: 'cn-hangzhou', sizeGiB: 200, tags: { role: 'golden' } });
      images.addImage({ id: 'm-ap', region: 'ap-southeast-1', sizeGiB: 200 });
      images.addImage({ id: 'm-eu', region: 'eu-central-1', sizeGiB: 200, state: ImageState.Pending, progressPercent: 0 });
      await stored(
        source,
        'eu-central-1',
        { type: 'dispatch.claimed' },
        { type: 'copy.accepted', handle: 'm-eu', destinationImageId: 'm-eu' },
        { type: 'copy.observed', state: 'running', progressPercent: 0 },
      );
      const job = await stored(source, 'me-east-1', { type: 'relay.available', relay: { region: 'ap-southeast-1', imageId: 'm-ap' } });
      await book.writeSpeeds(SCOPE, slowDirectFastRelay);
      // Act
      await dispatch();
      // Assess
      expect(images.requests.map((r) => [r.jobId, r.source.imageId])).toEqual([[job.id, 'm-ap']]);
    });

    it('is not waited for when copying from it would end later than starting now', async () => {
      // Prepare: 200 GiB; now from the replica: 60 min; the coming one in 50 min, then 15 min
      const job = await withCopyUnderWay(200, 50 * 60);
      await book.writeSpeeds(SCOPE, speeds({ [pairKey('ap-southeast-1', 'me-east-1')]: 200, [pairKey('eu-central-1', 'me-east-1')]: 800 }));
      // Act
      await dispatch();
      // Assess
      expect(images.requests.map((r) => [r.jobId, r.source.imageId])).toEqual([[job.id, 'm-ap']]);
    });

    it('is trusted less the later it runs past its prediction', async () => {
      // Prepare: predicted 10 min from now, then 6 h pass without it ending
      const job = await withCopyUnderWay(200, 600);
      await book.writeSpeeds(SCOPE, slowDirectFastRelay);
      clock.set(addSeconds(clock.now(), 6 * 3600));
      // Act
      await dispatch();
      // Assess: late by ~6 h, it is given ~6 h more: starting now from the finished replica is better
      expect(images.requests.map((r) => [r.jobId, r.source.imageId])).toEqual([[job.id, 'm-ap']]);
    });
  });

  it('keeps the source region’s slots for images that have no other way out', async () => {
    // Prepare: two of the region's five slots busy; image A has a replica, three new images none
    for (const n of [1, 2]) {
      const busy = images.addImage({ id: `m-busy${n}`, region: 'cn-hangzhou', sizeGiB: 10, tags: { role: 'golden' } });
      images.addImage({ id: `m-busy${n}-copy`, region: 'ap-southeast-1', state: ImageState.Pending });
      await stored(busy, 'ap-southeast-1', { type: 'dispatch.claimed' }, { type: 'copy.accepted', handle: `m-busy${n}-copy`, destinationImageId: `m-busy${n}-copy` });
    }
    const { job: relayable } = await withReplica(300);
    const lonely: Job[] = [];
    for (const n of [1, 2, 3]) {
      const image = images.addImage({ id: `m-new${n}`, region: 'cn-hangzhou', sizeGiB: 10, tags: { role: 'golden' } });
      lonely.push(await stored(image, 'ap-southeast-1'));
    }
    await book.writeSpeeds(SCOPE, speeds({ [pairKey('cn-hangzhou', 'eu-central-1')]: 200, [pairKey('ap-southeast-1', 'eu-central-1')]: 190 }));
    // Act
    await dispatch();
    // Assess: the large image (first in order) leaves the three free source slots to the new ones,
    // and takes its replica, nearly as fast
    const started = images.requests.map((r) => [r.jobId, r.source.imageId]);
    expect(started).toEqual(expect.arrayContaining([[relayable.id, 'm-ap'], ...lonely.map((job) => [job.id, job.source.imageId])]));
    expect(started).toHaveLength(4);
  });

  it('does not keep the source region for a share in place, which never copies out of it', async () => {
    // Prepare: the region full but for one place; a share-only job of another image waits
    for (const n of [1, 2, 3, 4]) {
      const busy = images.addImage({ id: `m-busy${n}`, region: 'cn-hangzhou', sizeGiB: 10, tags: { role: 'golden' } });
      images.addImage({ id: `m-busy${n}-copy`, region: 'ap-southeast-1', state: ImageState.Pending });
      await stored(busy, 'ap-southeast-1', { type: 'dispatch.claimed' }, { type: 'copy.accepted', handle: `m-busy${n}-copy`, destinationImageId: `m-busy${n}-copy` });
    }
    const { job } = await withReplica(300);
    const shared = images.addImage({ id: 'm-shared', region: 'cn-hangzhou', sizeGiB: 10, tags: { role: 'golden' } });
    const shareOnly = await stored(shared, 'ap-southeast-1');
    await jobs.update({ ...shareOnly, shareOnly: true, version: shareOnly.version + 1 });
    await book.writeSpeeds(SCOPE, speeds({ [pairKey('cn-hangzhou', 'eu-central-1')]: 400, [pairKey('ap-southeast-1', 'eu-central-1')]: 100 }));
    // Act
    await dispatch();
    // Assess: the relayable job takes the source's last place, its fastest way
    expect(images.requests.filter((r) => r.jobId === job.id).map((r) => r.source.imageId)).toEqual(['m-src']);
  });

  it('still chooses when the speeds cannot be read', async () => {
    // Prepare
    await withReplica(100);
    book.readSpeeds = () => Promise.reject(new Error('table unavailable'));
    // Act
    await dispatch();
    // Assess
    expect(images.requests.map((r) => r.source.imageId)).toEqual(['m-src']);
  });

  it('sends an image’s first copy to where its longest chain starts, not over its fastest link', async () => {
    // Prepare: 100 GiB. ap-southeast-1 is the fastest link (15 min) but me-east-1 is 5 h direct and
    // 30 min from eu-central-1: eu first, then ap and eu→me, ends in 1 h; ap first ends in 1 h 15.
    images.addImage({ id: 'm-src', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    await book.writeSpeeds(
      SCOPE,
      speeds({
        [pairKey('cn-hangzhou', 'ap-southeast-1')]: 400,
        [pairKey('cn-hangzhou', 'eu-central-1')]: 200,
        [pairKey('cn-hangzhou', 'me-east-1')]: 20,
        [pairKey('eu-central-1', 'me-east-1')]: 200,
        [pairKey('ap-southeast-1', 'me-east-1')]: 40,
        [pairKey('ap-southeast-1', 'eu-central-1')]: 100,
      }),
    );
    // Act
    await sweep();
    // Assess: one copy (the source runs one at a time), to the start of the longest chain
    expect(images.requests.map((r) => r.destination.region)).toEqual(['eu-central-1']);
  });

  it('sends an image’s first copy, which its others wait behind, to its own area when no link is known yet', async () => {
    // Prepare: six destinations, one in the source's area (cn-), nothing observed
    const wide = testPolicyConfig(`
version: 1
policies:
  - name: wide
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: me-east-1 }, { region: eu-central-1 }, { region: us-west-1 }, { region: ap-southeast-1 }, { region: ap-northeast-1 }, { region: cn-shanghai }]
`);
    images.addImage({ id: 'm-src', region: 'cn-hangzhou', sizeGiB: 200, tags: { role: 'golden' } });
    const sweep = createStartCopy({ config: wide, providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger, speeds: book });
    // Act
    await sweep({ kind: 'sweep' });
    // Assess
    expect(images.requests.map((r) => r.destination.region)).toEqual(['cn-shanghai']);
  });
});
