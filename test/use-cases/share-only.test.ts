import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import { RetryableError } from '../../shared/core/domain/errors';
import { JobStatus } from '../../shared/core/domain/job';
import { buildNotification } from '../../shared/core/domain/notification';
import type { ImageRef, ShareResult } from '../../shared/core/ports/copy-provider';
import { createPollStatus } from '../../shared/core/use-cases/poll-status';
import { createStartCopy } from '../../shared/core/use-cases/start-copy';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { storedJob } from '../helpers/stored-job';

const POLICY = `
version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    shareInSourceRegion: ["1000000000000002"]
    destinations: [{ region: cn-shanghai }, { region: cn-beijing }]
`;

describe('sharing the source in its own region when the provider finishes the share later', () => {
  let clock: ManualClock;
  let images: FakeCopyProvider;
  let jobs: InMemoryJobStore;
  let shares: number;

  beforeEach(() => {
    clock = new ManualClock('2026-03-01T00:00:00Z');
    images = new FakeCopyProvider();
    jobs = new InMemoryJobStore();
    shares = 0;
    // The provider's first answer is "under way" (a share job still running), the next one done.
    const share = images.shareImage.bind(images);
    images.shareImage = async (image: ImageRef, accounts: readonly string[]): Promise<ShareResult> => {
      shares += 1;
      if (shares === 1) throw new RetryableError('ShareRunning', 'the share job is still running');
      return share(image, accounts);
    };
  });

  it('leaves the share to poll-status and starts the copies in the same pass; the next poll finishes the share', async () => {
    // Prepare: the share-only job and two copies, queued
    const config = testPolicyConfig(POLICY);
    const deps = { providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger };
    const source = images.addImage({ id: 'm-src', region: 'cn-hangzhou', sizeGiB: 20, tags: { role: 'golden' } });
    for (const region of ['cn-hangzhou', 'cn-shanghai', 'cn-beijing']) await storedJob({ jobs, clock, config }, source, region);
    const startCopy = createStartCopy({ ...deps, config });

    // Act
    await startCopy({ kind: 'dispatch', reason: 'test' });
    const afterDispatch = new Map((await jobs.list()).map((job) => [job.destination.region, job.status]));
    clock.advance(60_000);
    await createPollStatus(deps)();

    // Assess
    // (one copy of the source image runs at a time: the other waits its turn)
    expect(afterDispatch.get('cn-hangzhou')).toBe(JobStatus.Sharing);
    expect([afterDispatch.get('cn-shanghai'), afterDispatch.get('cn-beijing')].sort()).toEqual([JobStatus.Copying, JobStatus.Queued]);
    const shared = (await jobs.list()).find((job) => job.shareOnly === true);
    expect(shared).toMatchObject({ status: JobStatus.Available, sharedWith: ['1000000000000002'] });
    expect(images.shares.get('m-src')).toEqual(new Set(['1000000000000002']));
  });

  it('tells in the notification that the recipients still have to accept, where the provider offers shares', async () => {
    // Prepare: the same share, once from a provider that shares at once and once from one that offers
    const config = testPolicyConfig(POLICY);
    const outcomes: Record<string, unknown>[] = [];
    for (const offers of [false, true]) {
      const provider = new FakeCopyProvider();
      Object.assign(provider, { sharesAwaitAcceptance: offers });
      const store = new InMemoryJobStore();
      const source = provider.addImage({ id: 'm-src', region: 'cn-hangzhou', sizeGiB: 20, tags: { role: 'golden' } });
      await storedJob({ jobs: store, clock, config }, source, 'cn-hangzhou');
      const startCopy = createStartCopy({ providers: fakeProviders(provider), jobs: store, queues: recordingQueues(), clock, logger: silentLogger, config });

      // Act
      await startCopy({ kind: 'dispatch', reason: 'test' });
      const [job] = await store.list();
      outcomes.push(buildNotification(job!, clock.now()).destination);
    }

    // Assess
    expect(outcomes[0]).toMatchObject({ sharedWith: ['1000000000000002'] });
    expect(outcomes[0]).not.toHaveProperty('shareAcceptance');
    expect(outcomes[1]).toMatchObject({ sharedWith: ['1000000000000002'], shareAcceptance: 'pending' });
  });
});
