import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALL_IMAGE_STATES, ImageState, ReplicaTag } from '../../shared/core/domain/image';
import {
  type CancelResult,
  type CopyInFlight,
  type CopyObservation,
  type CopyProvider,
  type CopyRequest,
  MAX_COPY_HANDLE_LENGTH,
  RefusalReason,
  type StartCopyResult,
} from '../../shared/core/ports/copy-provider';

/**
 * The copy-provider port's contract, run on every provider against its wire simulator on a
 * manual clock. What the core relies on is asserted where the cloud keeps it (how many copies
 * the simulator ever made, how many requests reached it), not only in what the provider says.
 * Where clouds legitimately differ (Huawei cannot stop a copy), a behaviour names every answer
 * the port allows; no behaviour depends on the provider's name.
 */

export interface ImageSeed {
  readonly region: string;
  readonly name: string;
  readonly sizeGiB?: number | undefined;
  readonly encrypted?: boolean | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

export interface SeededImage {
  readonly region: string;
  readonly imageId: string;
  readonly name: string;
  readonly sizeGiB: number;
}

/** A copy the provider must refuse when planning: its source and destination differ from the golden default so. */
export interface UnplannableCopy {
  readonly why: string;
  readonly source?: { readonly sizeGiB?: number | undefined; readonly encrypted?: boolean | undefined } | undefined;
  readonly destination?: { readonly encrypted?: boolean | undefined; readonly kmsKeyId?: string | undefined } | undefined;
}

/** What the contract does to the simulated cloud, in the provider's own terms. */
export interface CopyProviderDriver {
  /** A source region, two destinations, and another source region of the same account. */
  readonly regions: { readonly source: string; readonly destination: string; readonly otherDestination: string; readonly otherSource: string };
  /** Virtual seconds a copy of a 10 GiB image takes at most (the simulator's bandwidth and overheads). */
  readonly copySeconds: number;
  /** Copies the provider must refuse at planning, besides one within a single region. */
  readonly unplannable: readonly UnplannableCopy[];
  now(): Date;
  advanceSeconds(seconds: number): void;
  /** An available image of the account, straight into the simulator. */
  seedImage(seed: ImageSeed): SeededImage;
  /** Images copies ever made in a region under a name, deleted ones included: 2 means a duplicate copy. */
  copiesEverMade(region: string, name: string): number;
  /** Images with that name in the region now (in any state but deleted). */
  liveImages(region: string, name: string): number;
  /** Every request that reached the simulator so far. */
  requestCount(): number;
  /** The next copy the cloud accepts ends failed part-way. */
  failNextCopy(): void;
  /** The next copy the cloud accepts never ends. */
  stallNextCopy(): void;
  /** The cloud performs the next copy request but the answer never arrives. */
  loseNextStartAnswer(): void;
  /** The next read the provider makes to observe copies gets no answer. */
  loseNextObserveAnswer(): void;
  /** The next copy request (with whatever retries the provider's client makes) is throttled. */
  throttleNextStart(): void;
  /** The region holds as many images as its quota allows. */
  fillImageQuota(region: string): void;
  /** Makes the cloud refuse this copy for good (a name taken by a stranger, an agency without rights). */
  refuseForGood(request: CopyRequest): void;
  /** Somebody else removes the image, through the cloud's API. */
  deleteBehindOurBack(region: string, imageId: string): Promise<void>;
}

export interface CopyProviderUnderTest {
  readonly provider: CopyProvider;
  readonly driver: CopyProviderDriver;
  close(): Promise<void>;
}

export type CopyProviderFactory = () => Promise<CopyProviderUnderTest>;

const REFUSAL_REASONS: readonly string[] = Object.values(RefusalReason);

/** A job id the core could have made: short, tag- and marker-safe on every cloud. */
const jobIdOf = (label: string): string => `rj-contract-${label}`;

const GOLDEN_GIB = 10;

export const describeCopyProviderContract = (name: string, factory: CopyProviderFactory): void => {
  describe(`${name}: the copy-provider contract`, () => {
    let world: CopyProviderUnderTest;
    let provider: CopyProvider;
    let driver: CopyProviderDriver;
    beforeEach(async () => {
      world = await factory();
      provider = world.provider;
      driver = world.driver;
    });
    afterEach(() => world.close());

    const golden = (label = 'web', region = driver.regions.source): SeededImage =>
      driver.seedImage({ region, name: `golden-${label}`, sizeGiB: GOLDEN_GIB, tags: { role: 'golden' } });

    /** The request the core builds for a job attempt: deterministic name, our tags, a token per attempt. */
    const requestFor = (image: SeededImage, label: string, destinationRegion = driver.regions.destination, attempt = 1): CopyRequest => {
      const jobId = jobIdOf(label);
      return {
        jobId,
        source: { region: image.region, imageId: image.imageId, sizeGiB: image.sizeGiB },
        destination: {
          region: destinationRegion,
          name: `${image.name}-${label}`,
          description: 'Golden image copied by the contract suite',
          tags: {
            role: 'golden',
            [ReplicaTag.Managed]: 'true',
            [ReplicaTag.SourceImage]: image.imageId,
            [ReplicaTag.SourceRegion]: image.region,
            [ReplicaTag.Job]: jobId,
          },
        },
        idempotencyToken: `${jobId}-r1-a${attempt}`,
        claimedAt: driver.now(),
      };
    };

    const started = (result: StartCopyResult): Extract<StartCopyResult, { kind: 'started' }> => {
      if (result.kind !== 'started') throw new Error(`expected the copy to start, got ${JSON.stringify(result)}`);
      return result;
    };

    /** The core's record of a copy in flight; observations that carry a new handle update it, as the core stores them. */
    const track = (request: CopyRequest, handle: string) => {
      let copy: CopyInFlight = {
        jobId: request.jobId,
        handle,
        sourceRegion: request.source.region,
        sourceImageId: request.source.imageId,
        destinationRegion: request.destination.region,
        destinationName: request.destination.name,
        tags: request.destination.tags,
        startedAt: request.claimedAt,
      };
      return {
        get copy() {
          return copy;
        },
        async observe(): Promise<CopyObservation> {
          const answers = await provider.observeCopies([copy]);
          expect([...answers.keys()]).toEqual([copy.jobId]);
          const seen = answers.get(copy.jobId);
          if (seen === undefined) throw new Error('no observation');
          if ((seen.state === 'running' || seen.state === 'available') && seen.handle !== undefined) copy = { ...copy, handle: seen.handle };
          return seen;
        },
      };
    };

    const startTracked = async (request: CopyRequest) => track(request, started(await provider.startCopy(request)).handle);

    const expectRefused = (result: StartCopyResult, reason: RefusalReason): void => {
      expect(result).toMatchObject({ kind: 'refused', reason });
      if (result.kind !== 'refused') return;
      expect(REFUSAL_REASONS).toContain(result.reason);
      expect(result.code).not.toBe('');
      expect(result.message).not.toBe('');
    };

    describe('startCopy', () => {
      it('makes exactly one copy, with a handle of at most 1 KiB', async () => {
        // Prepare
        const request = requestFor(golden(), 'one');

        // Act
        const result = started(await provider.startCopy(request));

        // Assess
        expect(result.adopted).toBe(false);
        expect(Buffer.byteLength(result.handle)).toBeLessThanOrEqual(MAX_COPY_HANDLE_LENGTH);
        expect(driver.copiesEverMade(request.destination.region, request.destination.name)).toBe(1);
      });

      it('makes no second copy when the same request comes again', async () => {
        // Prepare
        const request = requestFor(golden(), 'again');
        const first = started(await provider.startCopy(request));

        // Act
        const second = started(await provider.startCopy(request));

        // Assess
        const found = await provider.findCopy(request);
        expect(driver.copiesEverMade(request.destination.region, request.destination.name)).toBe(1);
        if (first.imageId !== undefined) expect(found?.imageId).toBe(first.imageId);
        expect(second.imageId ?? found?.imageId).toBe(found?.imageId);
      });

      it('answers unknown when the answer is lost (or started, when its own retry found the copy), and the same request again finds that copy instead of making another', async () => {
        // Prepare
        const request = requestFor(golden(), 'lost');
        driver.loseNextStartAnswer();

        // Act
        const lost = await provider.startCopy(request);
        const found = await provider.findCopy(request);
        const again = started(await provider.startCopy(request));

        // Assess
        // Never a refusal: the copy may run, and only a look (or the same token) can tell.
        expect(['unknown', 'started']).toContain(lost.kind);
        expect(found?.state).toBe(ImageState.Pending);
        expect(driver.copiesEverMade(request.destination.region, request.destination.name)).toBe(1);
        driver.advanceSeconds(driver.copySeconds);
        expect(await track(request, again.handle).observe()).toMatchObject({ state: 'available', imageId: found?.imageId });
        expect(driver.copiesEverMade(request.destination.region, request.destination.name)).toBe(1);
      });
    });

    describe('observeCopies', () => {
      it('reports a running copy with progress from 0 to 100 that only grows, then available with the image id', async () => {
        // Prepare
        const request = requestFor(golden(), 'progress');
        const tracked = await startTracked(request);

        // Act
        const atStart = await tracked.observe();
        driver.advanceSeconds(driver.copySeconds / 2);
        const midway = await tracked.observe();
        driver.advanceSeconds(driver.copySeconds);
        const done = await tracked.observe();

        // Assess
        expect(atStart.state).toBe('running');
        expect(midway.state).toBe('running');
        const percents = [atStart, midway].map((seen) => (seen.state === 'running' ? seen.progressPercent : undefined)).filter((p) => p !== undefined);
        for (const percent of percents) expect(percent).toBeGreaterThanOrEqual(0);
        for (const percent of percents) expect(percent).toBeLessThanOrEqual(100);
        expect(percents).toEqual([...percents].sort((a, b) => a - b));
        const found = await provider.findCopy(request);
        expect(done).toMatchObject({ state: 'available', imageId: found?.imageId });
        expect(found?.state).toBe(ImageState.Available);
      });

      it('reports a finished copy somebody deleted as missing', async () => {
        // Prepare
        const tracked = await startTracked(requestFor(golden(), 'deleted'));
        driver.advanceSeconds(driver.copySeconds);
        const done = await tracked.observe();
        if (done.state !== 'available') throw new Error(`not available: ${done.state}`);
        await driver.deleteBehindOurBack(driver.regions.destination, done.imageId);

        // Act
        const seen = await tracked.observe();

        // Assess
        expect(seen).toEqual({ state: 'missing' });
      });

      it('reports a failed copy as failed with a leftover, which deleteCopy removes (and removing it again is fine)', async () => {
        // Prepare
        const request = requestFor(golden(), 'failed');
        driver.failNextCopy();
        const tracked = await startTracked(request);
        driver.advanceSeconds(driver.copySeconds);

        // Act
        const failed = await tracked.observe();
        const leftBefore = driver.liveImages(request.destination.region, request.destination.name);
        await provider.deleteCopy(tracked.copy);
        await provider.deleteCopy(tracked.copy);
        const afterDelete = await tracked.observe();

        // Assess
        expect(failed).toMatchObject({ state: 'failed', leftover: true });
        if (failed.state === 'failed') expect(failed.code).not.toBe('');
        expect(leftBefore).toBe(1);
        expect(driver.liveImages(request.destination.region, request.destination.name)).toBe(0);
        expect(afterDelete.state === 'missing' || (afterDelete.state === 'failed' && !afterDelete.leftover)).toBe(true);
        expect(await provider.findCopy(request)).toBeUndefined();
      });

      it('does not take a copy recorded for another job as this job\'s, nor relabel it', async () => {
        // Prepare
        const image = golden();
        const theirs = requestFor(image, 'theirs');
        const theirCopy = await startTracked(theirs);
        driver.advanceSeconds(driver.copySeconds);
        const done = await theirCopy.observe();
        const ours = track(requestFor(image, 'ours'), theirCopy.copy.handle);

        // Act
        const seen = await ours.observe();

        // Assess
        expect(done.state).toBe('available');
        expect(seen).toEqual({ state: 'missing' });
        const replicas = await provider.listReplicas(driver.regions.destination);
        expect(replicas.map((replica) => replica.jobId)).toEqual([theirs.jobId]);
        expect(await theirCopy.observe()).toMatchObject({ state: 'available' });
      });

      it('leaves only what it could not read unobserved, and observes it again next time', async () => {
        // Prepare
        const first = await startTracked(requestFor(golden('one'), 'first', driver.regions.destination));
        const second = await startTracked(requestFor(golden('two'), 'second', driver.regions.otherDestination));
        driver.loseNextObserveAnswer();

        // Act
        const answers = await provider.observeCopies([first.copy, second.copy]);
        const again = await provider.observeCopies([first.copy, second.copy]);

        // Assess
        expect([...answers.keys()].sort()).toEqual([first.copy.jobId, second.copy.jobId].sort());
        const states = [...answers.values()].map((seen) => seen.state).sort();
        expect(states).toEqual(['running', 'unobserved']);
        const unobserved = [...answers.values()].find((seen) => seen.state === 'unobserved');
        expect(unobserved).toMatchObject({ retryable: true });
        expect([...again.values()].map((seen) => seen.state)).toEqual(['running', 'running']);
      });

      it('keeps a stalled copy running below 100%, never available', async () => {
        // Prepare
        driver.stallNextCopy();
        const tracked = await startTracked(requestFor(golden(), 'stalled'));

        // Act
        driver.advanceSeconds(driver.copySeconds * 20);
        const seen = await tracked.observe();

        // Assess
        expect(seen.state).toBe('running');
        if (seen.state === 'running') expect(seen.progressPercent ?? 0).toBeLessThan(100);
      });
    });

    describe('findCopy', () => {
      it('finds nothing before the copy exists, and makes none', async () => {
        // Prepare
        const request = requestFor(golden(), 'none');

        // Act
        const found = await provider.findCopy(request);

        // Assess
        expect(found).toBeUndefined();
        expect(driver.copiesEverMade(request.destination.region, request.destination.name)).toBe(0);
      });

      it('finds the job\'s copy, and not for another job asking under the same name', async () => {
        // Prepare
        const request = requestFor(golden(), 'found');
        const result = started(await provider.startCopy(request));
        const stranger: CopyRequest = { ...request, jobId: jobIdOf('stranger'), idempotencyToken: `${jobIdOf('stranger')}-r1-a1` };

        // Act
        const running = await provider.findCopy(request);
        driver.advanceSeconds(driver.copySeconds);
        const finished = await provider.findCopy(request);
        const forStranger = await provider.findCopy(stranger);

        // Assess
        expect(running).toMatchObject({ state: ImageState.Pending });
        if (result.imageId !== undefined) expect(running?.imageId).toBe(result.imageId);
        expect(finished).toMatchObject({ state: ImageState.Available, imageId: running?.imageId });
        expect(forStranger).toBeUndefined();
        expect(driver.copiesEverMade(request.destination.region, request.destination.name)).toBe(1);
      });
    });

    describe('cancelCopy', () => {
      it('cancels a running copy, or says it cannot and the copy runs on', async () => {
        // Prepare
        const request = requestFor(golden(), 'cancel');
        const tracked = await startTracked(request);
        driver.advanceSeconds(driver.copySeconds / 2);

        // Act
        const result = await provider.cancelCopy(tracked.copy);
        const after = await tracked.observe();

        // Assess
        expect(['cancelled', 'unsupported']).toContain(result.kind);
        if (result.kind === 'cancelled') expect(['missing', 'failed']).toContain(after.state);
        if (result.kind === 'unsupported') expect(after.state).toBe('running');
      });

      it('is too late for a finished copy, which stays', async () => {
        // Prepare
        const tracked = await startTracked(requestFor(golden(), 'finished'));
        driver.advanceSeconds(driver.copySeconds);

        // Act
        const result = await provider.cancelCopy(tracked.copy);

        // Assess
        expect(result).toEqual<CancelResult>({ kind: 'too-late' });
        expect(await tracked.observe()).toMatchObject({ state: 'available' });
      });

      it('is too late for a failed copy', async () => {
        // Prepare
        driver.failNextCopy();
        const tracked = await startTracked(requestFor(golden(), 'failed'));
        driver.advanceSeconds(driver.copySeconds);

        // Act
        const result = await provider.cancelCopy(tracked.copy);

        // Assess
        expect(result).toEqual<CancelResult>({ kind: 'too-late' });
      });

      it('finds nothing to cancel of a copy that is gone, or says it ended when the provider still knows so', async () => {
        // Prepare
        const tracked = await startTracked(requestFor(golden(), 'gone'));
        driver.advanceSeconds(driver.copySeconds);
        const done = await tracked.observe();
        if (done.state !== 'available') throw new Error(`not available: ${done.state}`);
        await driver.deleteBehindOurBack(driver.regions.destination, done.imageId);

        // Act
        const result = await provider.cancelCopy(tracked.copy);

        // Assess
        expect(['not-found', 'too-late']).toContain(result.kind);
        expect(await tracked.observe()).toEqual({ state: 'missing' });
      });
    });

    describe('listReplicas', () => {
      it('lists our finished copies with their job ids and a handle that observes them, and nobody else\'s images', async () => {
        // Prepare
        const image = golden();
        driver.seedImage({ region: driver.regions.destination, name: 'golden-web-handmade', sizeGiB: GOLDEN_GIB, tags: { role: 'golden' } });
        const request = requestFor(image, 'replica');
        const tracked = await startTracked(request);
        driver.advanceSeconds(driver.copySeconds);
        const done = await tracked.observe();

        // Act
        const replicas = await provider.listReplicas(driver.regions.destination);

        // Assess
        expect(done.state).toBe('available');
        expect(replicas).toHaveLength(1);
        expect(replicas[0]).toMatchObject({
          imageId: done.state === 'available' ? done.imageId : '',
          region: driver.regions.destination,
          state: ImageState.Available,
          jobId: request.jobId,
          sourceImageId: image.imageId,
          sourceRegion: image.region,
        });
        expect(await track(request, replicas[0]?.handle ?? '').observe()).toMatchObject({ state: 'available', imageId: replicas[0]?.imageId });
      });
    });

    describe('planCopy', () => {
      const unplannable = (): Array<{ why: string; copy: UnplannableCopy }> => [
        { why: 'a copy within one region', copy: { why: 'same region' } },
        ...driver.unplannable.map((copy) => ({ why: copy.why, copy })),
      ];

      it('refuses what it cannot copy before any request, and startCopy refuses it as invalid without making a copy', async () => {
        for (const { why, copy } of unplannable()) {
          // Prepare
          const image = driver.seedImage({ region: driver.regions.source, name: `golden-${why.replace(/[^a-z]/g, '')}`, sizeGiB: copy.source?.sizeGiB ?? GOLDEN_GIB, encrypted: copy.source?.encrypted });
          const base = requestFor(image, 'plan', why === 'a copy within one region' ? driver.regions.source : driver.regions.destination);
          const request: CopyRequest = { ...base, destination: { ...base.destination, ...copy.destination } };
          const [sourceImage] = await provider.listImages(image.region, { imageId: image.imageId, states: ALL_IMAGE_STATES, ownedBySelf: true });
          const before = driver.requestCount();

          // Act
          const plan = provider.planCopy({ source: request.source, destination: request.destination, sourceImage });
          const fromRequestAlone = provider.planCopy({ source: request.source, destination: request.destination });
          await Promise.resolve();
          const afterPlan = driver.requestCount();
          const result = await provider.startCopy(request);

          // Assess
          expect(plan.kind, why).toBe('refused');
          expect(afterPlan, why).toBe(before);
          expectRefused(result, RefusalReason.Invalid);
          if (fromRequestAlone.kind === 'refused') expect(driver.requestCount(), `${why}: known from the request alone, yet the cloud was asked`).toBe(before);
          expect(driver.copiesEverMade(request.destination.region, request.destination.name), why).toBe(0);
        }
      });

      it('plans a copy of the golden image', async () => {
        // Prepare
        const request = requestFor(golden(), 'planned');

        // Act
        const plan = provider.planCopy({ source: request.source, destination: request.destination });

        // Assess
        expect(plan).toMatchObject({ kind: 'copy', route: expect.any(String) });
      });
    });

    describe('capacity', () => {
      const relations = [
        { relation: 'of one source image to two regions', second: (one: SeededImage) => ({ image: one, destination: driver.regions.otherDestination }) },
        { relation: 'of two images of one source region', second: () => ({ image: golden('other'), destination: driver.regions.destination }) },
        { relation: 'of two source regions of one account', second: () => ({ image: golden('far', driver.regions.otherSource), destination: driver.regions.destination }) },
      ] as const;

      for (const { relation, second } of relations) {
        it(`lets two copies ${relation} run together unless the rule gives them a shared slot of one`, async () => {
          // Prepare
          const one = golden();
          const first = requestFor(one, 'first');
          const other = second(one);
          const next = requestFor(other.image, 'second', other.destination);
          const slotsOf = (request: CopyRequest) =>
            provider.capacity.slotsFor({ sourceRegion: request.source.region, sourceImageId: request.source.imageId, destinationRegion: request.destination.region });
          const firstKeys = new Set(slotsOf(first).map((slot) => slot.key));
          const shared = slotsOf(next).filter((slot) => firstKeys.has(slot.key));
          const collides = shared.some((slot) => slot.limit <= 1);
          started(await provider.startCopy(first));

          // Act
          const result = await provider.startCopy(next);

          // Assess
          if (collides) {
            expectRefused(result, RefusalReason.Busy);
            if (result.kind === 'refused' && result.busySlots !== undefined) {
              expect(result.busySlots.length).toBeGreaterThan(0);
              for (const key of result.busySlots) expect(shared.map((slot) => slot.key)).toContain(key);
            }
            expect(driver.copiesEverMade(next.destination.region, next.destination.name)).toBe(0);
          } else {
            started(result);
            expect(driver.copiesEverMade(next.destination.region, next.destination.name)).toBe(1);
          }
        });
      }

      it('refuses a copy as busy while its tightest slot is full, and starts it once a copy ends', async () => {
        // Prepare
        const image = golden();
        const candidate = requestFor(image, 'candidate');
        const slots = provider.capacity.slotsFor({ sourceRegion: image.region, sourceImageId: image.imageId, destinationRegion: driver.regions.destination });
        const tightest = Math.min(...slots.map((slot) => slot.limit));
        for (let i = 0; i < tightest; i += 1) started(await provider.startCopy(requestFor(image, `filler-${i}`)));

        // Act
        const refused = await provider.startCopy(candidate);
        driver.advanceSeconds(driver.copySeconds);
        const later = await provider.startCopy(candidate);

        // Assess
        expect(slots.length).toBeGreaterThan(0);
        expectRefused(refused, RefusalReason.Busy);
        started(later);
        expect(driver.copiesEverMade(candidate.destination.region, candidate.destination.name)).toBe(1);
      });
    });

    describe('refusals', () => {
      it('says throttled when the cloud asks it to slow down, and makes no copy', async () => {
        // Prepare
        const request = requestFor(golden(), 'throttled');
        driver.throttleNextStart();

        // Act
        const result = await provider.startCopy(request);

        // Assess
        expectRefused(result, RefusalReason.Throttled);
        expect(driver.copiesEverMade(request.destination.region, request.destination.name)).toBe(0);
      });

      it('says quota when the destination holds all the images it may', async () => {
        // Prepare
        const request = requestFor(golden(), 'quota');
        driver.fillImageQuota(request.destination.region);

        // Act
        const result = await provider.startCopy(request);

        // Assess
        expectRefused(result, RefusalReason.Quota);
        expect(driver.copiesEverMade(request.destination.region, request.destination.name)).toBe(0);
      });

      it('says invalid when the cloud will never accept the copy', async () => {
        // Prepare
        const request = requestFor(golden(), 'invalid');
        driver.refuseForGood(request);

        // Act
        const result = await provider.startCopy(request);

        // Assess
        expectRefused(result, RefusalReason.Invalid);
        expect(driver.copiesEverMade(request.destination.region, request.destination.name)).toBe(0);
      });

      it('says source-missing when the source image is gone', async () => {
        // Prepare
        const image = golden();
        const request = requestFor(image, 'orphan');
        await driver.deleteBehindOurBack(image.region, image.imageId);

        // Act
        const result = await provider.startCopy(request);

        // Assess
        expect(result).toMatchObject({ kind: 'source-missing', code: expect.any(String), message: expect.any(String) });
        expect(driver.copiesEverMade(request.destination.region, request.destination.name)).toBe(0);
      });
    });
  });
};
