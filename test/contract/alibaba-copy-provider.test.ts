import { AlibabaEcsCopyProvider } from '../../shared/providers/alibaba-ecs/copy-provider';
import { createEcsExtras } from '../../shared/providers/alibaba-ecs/ecs-extras';
import { ECS_RETRY_MAX_ATTEMPTS } from '../../shared/providers/alibaba-ecs/image-cloud';
import { FaultKind } from '../../sim/ecs-simulator';
import { startSimKit } from '../sim/sim-test-kit';
import { type CopyProviderDriver, describeCopyProviderContract } from './copy-provider.contract';

const REGIONS = { source: 'cn-hangzhou', destination: 'cn-shanghai', otherDestination: 'cn-beijing', otherSource: 'cn-shenzhen' } as const;

/** ECS has no stalled copies; one at this crawl outlasts any test's horizon. */
const CRAWL_MIBPS = 0.000_01;

describeCopyProviderContract('Alibaba ECS over the ECS simulator', async () => {
  // 10 GiB at 10 MiB/s plus 100 s: a copy runs 1124 s.
  const kit = await startSimKit({ regions: Object.values(REGIONS), copy: { bandwidthMiBps: 10, overheadSeconds: 100 } });
  const { sim, clock } = kit;
  // Somebody else at the console: another client, same account.
  const bystander = kit.cloud();
  const imagesNamed = (region: string, name: string) => sim.inspect.images(region).filter((image) => image.name === name);
  const driver: CopyProviderDriver = {
    regions: REGIONS,
    copySeconds: 1200,
    // Images over ECS_COPY_IMAGE_MAX_GIB take the snapshot route: every size has a plan.
    unplannable: [],
    now: () => clock.now(),
    advanceSeconds: (seconds) => clock.advanceSeconds(seconds),
    seedImage: (seed) => {
      const image = sim.inspect.addImage({ region: seed.region, name: seed.name, sizeGiB: seed.sizeGiB ?? 10, encrypted: seed.encrypted, tags: seed.tags });
      return { region: image.region, imageId: image.id, name: image.name, sizeGiB: image.sizeGiB };
    },
    copiesEverMade: (region, name) => sim.inspect.created('image', { region, name, origin: 'CopyImage' }).length,
    liveImages: (region, name) => imagesNamed(region, name).length,
    requestCount: () => Object.values(sim.requests.counts()).reduce((sum, count) => sum + count, 0),
    failNextCopy: () => sim.faults.injectNext('CopyImage', FaultKind.CopyFailure),
    stallNextCopy: () => sim.inspect.setCopySettings({ bandwidthMiBps: CRAWL_MIBPS }),
    loseNextStartAnswer: () => sim.faults.injectNext('CopyImage', FaultKind.LostAnswer),
    loseNextObserveAnswer: () => sim.faults.injectNext('DescribeImages', FaultKind.LostAnswer),
    // The SDK retries throttling itself: every attempt must meet it for the provider to see it.
    throttleNextStart: () => sim.faults.injectNext('CopyImage', FaultKind.Throttle, ECS_RETRY_MAX_ATTEMPTS),
    fillImageQuota: (region) => {
      if (sim.inspect.images(region).length === 0) sim.inspect.addImage({ region, name: 'someone-elses', sizeGiB: 1 });
      sim.inspect.setCopySettings({ imageQuotaPerRegion: sim.inspect.images(region).length });
    },
    // ECS image names are unique per region: a stranger's image holds the copy's name.
    refuseForGood: (request) => void sim.inspect.addImage({ region: request.destination.region, name: request.destination.name, sizeGiB: 1 }),
    deleteBehindOurBack: (region, imageId) => bystander.deleteImage(region, imageId),
  };
  const ecs = kit.cloud();
  return { provider: new AlibabaEcsCopyProvider({ account: 'contract', images: ecs, extras: createEcsExtras(ecs) }), driver, close: () => kit.close() };
});
