import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import type { PolicyConfig } from '../../shared/core/config/policy-config';
import { type CloudImage, ImageState } from '../../shared/core/domain/image';
import type { Job } from '../../shared/core/domain/job';
import { advance, newJob } from '../../shared/core/domain/job-transitions';
import { planJobs } from '../../shared/core/domain/policy';
import { createPlan, DEFAULT_GIB_PER_HOUR, PlanAction } from '../../shared/core/use-cases/plan';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';

const POLICY = `
version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }, { region: cn-beijing, shareWith: ["1000000000000002"] }]
prices:
  alibaba: { currency: USD, perGiBMonth: 0.02, regions: { cn-beijing: 0.03 } }
`;

/** The copy of `source` to cn-shanghai, made through the real transitions, each step `stepMs` after the last. */
const copiedToShanghai = (config: PolicyConfig, clock: ManualClock, source: CloudImage, stepMs: number): Job => {
  const [shanghai] = planJobs(config, { provider: 'alibaba', account: 'default' }, source).filter((p) => p.spec.destination.region === 'cn-shanghai');
  if (shanghai === undefined) throw new Error('the policy plans no copy to cn-shanghai');
  let done = newJob(shanghai.id, shanghai.spec, ImageState.Available, clock.now());
  for (const event of [{ type: 'dispatch.claimed' as const }, { type: 'copy.accepted' as const, handle: 'm-c', destinationImageId: 'm-c' }, { type: 'copy.observed' as const, state: 'available' as const }]) {
    clock.advance(stepMs);
    done = advance(done, event, clock.now());
  }
  return done;
};

describe('createPlan', () => {
  it('says what would be copied, shared or skipped, the GiB and cost per region, and changes nothing', async () => {
    // Prepare: one copy exists already, one image is new, one is too large for the provider
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const config = testPolicyConfig(POLICY);
    const images = new FakeCopyProvider();
    const jobs = new InMemoryJobStore();
    const old = images.addImage({ id: 'm-old', region: 'cn-hangzhou', sizeGiB: 40, tags: { role: 'golden' } });
    images.addImage({ id: 'm-new', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    images.addImage({ id: 'm-huge', region: 'cn-hangzhou', sizeGiB: 3000, tags: { role: 'golden' } });
    await jobs.putIfAbsent(copiedToShanghai(config, clock, old, 30 * 60_000));
    const before = JSON.stringify(await jobs.list());
    // Act
    const plan = await createPlan({ config, providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger })();
    // Assess
    const actions = plan.items.map((i) => `${i.imageId}→${i.destinationRegion}: ${i.action}`).sort();
    expect(actions).toEqual([
      'm-huge→cn-beijing: skip',
      'm-huge→cn-shanghai: skip',
      'm-new→cn-beijing: copy',
      'm-new→cn-shanghai: copy',
      'm-old→cn-beijing: copy',
      'm-old→cn-shanghai: exists',
    ]);
    expect(plan.regions.map((r) => [r.region, r.gainGiB, r.monthlyCostChange?.amount])).toEqual(
      expect.arrayContaining([
        ['cn-shanghai', 100, 2],
        ['cn-beijing', 140, 4.2],
      ]),
    );
    expect(plan.changesPending).toBe(true);
    // The copy to Shanghai took 30 minutes for 40 GiB: 80 GiB/h; Beijing has no sample yet.
    expect(plan.items.find((i) => i.imageId === 'm-new' && i.destinationRegion === 'cn-shanghai')?.expectedHours).toBe(100 / 80);
    expect(plan.items.find((i) => i.imageId === 'm-new' && i.destinationRegion === 'cn-beijing')?.expectedHours).toBe(100 / DEFAULT_GIB_PER_HOUR);
    expect(JSON.stringify(await jobs.list())).toBe(before);
    expect(images.requests).toEqual([]);
    expect(plan.items.every((i) => i.action !== PlanAction.Prune)).toBe(true);
  });

  it('does not take a copy record no copy could make for a speed: it estimates from the default', async () => {
    // Prepare: a copy of 40 GiB recorded as done five seconds after it started (a clock gone wrong)
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const config = testPolicyConfig(POLICY);
    const images = new FakeCopyProvider();
    const jobs = new InMemoryJobStore();
    const old = images.addImage({ id: 'm-old', region: 'cn-hangzhou', sizeGiB: 40, tags: { role: 'golden' } });
    images.addImage({ id: 'm-new', region: 'cn-hangzhou', sizeGiB: 100, tags: { role: 'golden' } });
    await jobs.putIfAbsent(copiedToShanghai(config, clock, old, 5_000));
    // Act
    const plan = await createPlan({ config, providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger })();
    // Assess
    expect(plan.items.find((i) => i.imageId === 'm-new' && i.destinationRegion === 'cn-shanghai')?.expectedHours).toBe(100 / DEFAULT_GIB_PER_HOUR);
    expect(plan.speedSource).toContain('no copy observed yet');
  });

  it('lists the images by name, whatever order the provider answers in', async () => {
    // Prepare: the provider lists the newest first
    const images = new FakeCopyProvider();
    for (const name of ['golden-c', 'golden-a', 'golden-b']) images.addImage({ id: `m-${name}`, name, region: 'cn-hangzhou', sizeGiB: 10, tags: { role: 'golden' } });
    const plan = createPlan({ config: testPolicyConfig(POLICY), providers: fakeProviders(images), jobs: new InMemoryJobStore(), queues: recordingQueues(), clock: new ManualClock(), logger: silentLogger });
    // Act
    const { items } = await plan();
    // Assess
    expect([...new Set(items.map((item) => item.imageName))]).toEqual(['golden-a', 'golden-b', 'golden-c']);
  });
});
