import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import { pairKey, type CopySpeeds } from '../../shared/core/domain/copy-speed';
import type { CloudImage } from '../../shared/core/domain/image';
import type { Job, JobEvent } from '../../shared/core/domain/job';
import { RefusalReason } from '../../shared/core/ports/copy-provider';
import type { PlanHints } from '../../shared/core/ports/plan-hints';
import { createStartCopy } from '../../shared/core/use-cases/start-copy';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { createMemoryPlanHints } from '../../shared/stores/memory/memory-plan-hints';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { InMemorySpeedBook } from '../fakes/in-memory-speed-book';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { storedJob } from '../helpers/stored-job';
import { copySpeeds } from '../helpers/copy-speeds';

// One copy at a time out of a region: the slot every image wants is the source region's.
const POLICY = `
version: 1
maxConcurrentCopiesPerRegion: 1
policies:
  - name: fan
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: ap-southeast-1 }, { region: eu-central-1 }, { region: me-east-1 }]
`;
const SCOPE = 'alibaba/default';
const speeds = (pairs: Record<string, number>): CopySpeeds => copySpeeds(pairs);

/** A hint store that records what each pass read and wrote, and may answer a given order. */
const recordingHints = (given?: readonly string[]) => {
  const inner = createMemoryPlanHints();
  const hints = {
    reads: [] as string[],
    writes: [] as Array<readonly string[]>,
    read: (key: string) => {
      hints.reads.push(key);
      return given ?? inner.read(key);
    },
    write: (key: string, order: readonly string[]) => {
      hints.writes.push(order);
      inner.write(key, order);
    },
  };
  return hints;
};

describe('dispatching by one schedule of every image', () => {
  let clock: ManualClock;
  let images: FakeCopyProvider;
  let jobs: InMemoryJobStore;
  let book: InMemorySpeedBook;
  let hints: ReturnType<typeof recordingHints>;
  let dispatch: () => Promise<unknown>;

  /** Dispatch passes with these hints (a recording store of their own by default). */
  const withHints = (plans: PlanHints) => {
    const startCopy = createStartCopy({ config: testPolicyConfig(POLICY), providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger, speeds: book, plans });
    return () => startCopy({ kind: 'dispatch', reason: 'test' });
  };

  beforeEach(() => {
    clock = new ManualClock('2026-03-01T00:00:00Z');
    images = new FakeCopyProvider();
    jobs = new InMemoryJobStore();
    book = new InMemorySpeedBook();
    hints = recordingHints();
    dispatch = withHints(hints);
  });

  const stored = (source: CloudImage, region: string, ...events: JobEvent[]): Promise<Job> => storedJob({ jobs, clock, config: testPolicyConfig(POLICY) }, source, region, ...events);

  /**
   * Two 100 GiB images out of cn-hangzhou's one slot. B needs ap-southeast-1 (2 h). A needs
   * eu-central-1 (30 min) and me-east-1: 4 h direct, 1 h from A's copy in eu-central-1.
   * B first ends at 3.5 h; A's first copy first ends everything at 2.5 h.
   */
  const twoImages = async () => {
    const a = images.addImage({ id: 'm-a', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    const b = images.addImage({ id: 'm-b', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    const toEu = await stored(a, 'eu-central-1');
    const toMe = await stored(a, 'me-east-1');
    const toAp = await stored(b, 'ap-southeast-1');
    await book.writeSpeeds(
      SCOPE,
      speeds({
        [pairKey('cn-hangzhou', 'ap-southeast-1')]: 50,
        [pairKey('cn-hangzhou', 'eu-central-1')]: 200,
        [pairKey('eu-central-1', 'me-east-1')]: 100,
        [pairKey('cn-hangzhou', 'me-east-1')]: 25,
      }),
    );
    return { toEu, toMe, toAp };
  };

  it('gives the one slot to the copy that starts the longer chain, though the other image alone would end later', async () => {
    // Prepare
    const { toEu } = await twoImages();
    // Act
    await dispatch();
    // Assess: A's copy to eu-central-1 is the one started, from A's source; B's waits its turn
    expect(images.requests.map((r) => [r.jobId, r.source.imageId, r.destination.region])).toEqual([[toEu.id, 'm-a', 'eu-central-1']]);
  });

  it('leaves the order of its schedule for the next pass over the same account and region', async () => {
    // Prepare
    const { toMe, toAp } = await twoImages();
    // Act
    await dispatch();
    await dispatch();
    // Assess: the waiting copies, in the order their schedule was decoded from, asked for again
    expect(hints.writes[0]).toEqual(expect.arrayContaining([toMe.id, toAp.id]));
    expect(hints.reads).toEqual(['alibaba/default/cn-hangzhou', 'alibaba/default/cn-hangzhou']);
  });

  it('starts its search from the hint: of two images that end the same either way, the one the hint puts first starts', async () => {
    // Prepare: two equal images, one slot; either order ends both at the same times
    const a = images.addImage({ id: 'm-a', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    const b = images.addImage({ id: 'm-b', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    const toA = await stored(a, 'eu-central-1');
    const toB = await stored(b, 'eu-central-1');
    await book.writeSpeeds(SCOPE, speeds({ [pairKey('cn-hangzhou', 'eu-central-1')]: 100 }));
    // Act
    await withHints(recordingHints([toB.id, toA.id]))();
    // Assess
    expect(images.requests.map((r) => r.jobId)).toEqual([toB.id]);
  });

  it('does not hold a copy back for the replica of a sibling whose last try was refused', async () => {
    // Prepare: A to eu-central-1 was refused busy (somebody else copies m-a); A to me-east-1 can
    // come from a finished replica in ap-southeast-1 (2 h) or, counting on eu-central-1's, in 1 h
    const a = images.addImage({ id: 'm-a', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    images.addImage({ id: 'm-ap', region: 'ap-southeast-1', sizeGiB: 100 });
    await stored(a, 'eu-central-1', { type: 'dispatch.claimed' }, { type: 'dispatch.deferred', reason: { code: 'ImageBusy', message: 'another copy of the image runs' } });
    const toMe = await stored(a, 'me-east-1', { type: 'relay.available', relay: { region: 'ap-southeast-1', imageId: 'm-ap' } });
    await book.writeSpeeds(
      SCOPE,
      speeds({
        [pairKey('cn-hangzhou', 'eu-central-1')]: 200,
        [pairKey('eu-central-1', 'me-east-1')]: 200,
        [pairKey('ap-southeast-1', 'me-east-1')]: 50,
        [pairKey('cn-hangzhou', 'me-east-1')]: 20,
      }),
    );
    images.failNextCopy({ kind: 'refused', reason: RefusalReason.Busy, code: 'ImageBusy', message: 'another copy of the image runs' });
    // Act
    await dispatch();
    // Assess: me-east-1 starts from the finished replica now
    expect(images.requests.filter((r) => r.jobId === toMe.id).map((r) => r.source.imageId)).toEqual(['m-ap']);
  });

  it('lets the rest of a pass start what a refusal freed, though the schedule had put it later', async () => {
    // Prepare: two copies of one image, one at a time out of it; the first is refused for good
    const a = images.addImage({ id: 'm-a', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    const toEu = await stored(a, 'eu-central-1');
    const toAp = await stored(a, 'ap-southeast-1');
    await book.writeSpeeds(SCOPE, speeds({ [pairKey('cn-hangzhou', 'eu-central-1')]: 200, [pairKey('cn-hangzhou', 'ap-southeast-1')]: 100, [pairKey('eu-central-1', 'ap-southeast-1')]: 10 }));
    images.failNextCopy({ kind: 'refused', reason: RefusalReason.Quota, code: 'QuotaExceed.Image', message: 'full' });
    // Act
    await dispatch();
    // Assess: eu-central-1 went first and was refused; ap-southeast-1 started in the same pass
    expect(images.requests.map((r) => r.jobId)).toEqual([toEu.id, toAp.id]);
  });
});
