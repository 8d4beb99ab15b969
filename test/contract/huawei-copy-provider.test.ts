import { IMS_RETRY_ATTEMPTS, ImsClient } from '../../shared/providers/huawei-ims/client';
import { HuaweiImsCopyProvider } from '../../shared/providers/huawei-ims/huawei-copy-provider';
import { FaultKind, createImsSimulator } from '../../sim/huawei/ims-simulator';
import { ManualSimClock } from '../../sim/sim-clock';
import { AGENCY, HW_CREDENTIALS } from '../providers/huawei-ims/ims-test-kit';
import { type CopyProviderDriver, describeCopyProviderContract } from './copy-provider.contract';

const REGIONS = { source: 'cn-north-4', destination: 'cn-east-3', otherDestination: 'cn-south-1', otherSource: 'ap-southeast-1' } as const;

describeCopyProviderContract('Huawei IMS over the IMS simulator', async () => {
  const clock = new ManualSimClock('2026-11-20T08:00:00Z');
  // 10 GiB at 10 MiB/s plus 100 s, after 30 s of INIT: a copy runs 1154 s.
  const sim = await createImsSimulator({
    clock,
    seed: { credentials: [HW_CREDENTIALS], regions: Object.values(REGIONS), copy: { bandwidthMiBps: 10, overheadSeconds: 100, initSeconds: 30 } },
  });
  const target = (region: string) => ({ region, projectId: sim.inspect.projectId(region) });
  // Somebody else at the console: another client, same tenant.
  const bystander = new ImsClient({ credentials: HW_CREDENTIALS, endpointTemplate: sim.endpointTemplate, timeoutMs: 2_000 });
  const imagesNamed = (region: string, name: string) => sim.inspect.images(region).filter((image) => image.name === name && image.status !== 'deleted');
  const driver: CopyProviderDriver = {
    regions: REGIONS,
    copySeconds: 1200,
    unplannable: [
      { why: 'an image larger than IMS copies between the two regions', source: { sizeGiB: 400 } },
      { why: 'an encrypted copy', destination: { encrypted: true, kmsKeyId: 'kms-key-1' } },
      { why: 'an encrypted source image', source: { encrypted: true } },
    ],
    now: () => clock.now(),
    advanceSeconds: (seconds) => clock.advanceSeconds(seconds),
    seedImage: (seed) => {
      const image = sim.inspect.addImage({ region: seed.region, name: seed.name, sizeGiB: seed.sizeGiB ?? 10, encrypted: seed.encrypted, tags: seed.tags });
      return { region: image.region, imageId: image.id, name: image.name, sizeGiB: seed.sizeGiB ?? 10 };
    },
    copiesEverMade: (region, name) => sim.inspect.copiesCreated(region, name),
    liveImages: (region, name) => imagesNamed(region, name).length,
    requestCount: () => Object.values(sim.requests.counts()).reduce((sum, count) => sum + count, 0),
    failNextCopy: () => sim.inspect.failNextCopies(1),
    stallNextCopy: () => sim.inspect.stallNextCopies(1),
    loseNextStartAnswer: () => sim.faults.injectNext('CopyImageCrossRegion', FaultKind.LostAnswer),
    // Copies are observed through their IMS job first. The client tries a reset read again, not a
    // withheld one: its time is spent.
    loseNextObserveAnswer: () => sim.faults.injectNext('ShowJob', FaultKind.NoAnswer),
    throttleNextStart: () => sim.faults.injectNext('CopyImageCrossRegion', FaultKind.Throttle, IMS_RETRY_ATTEMPTS),
    fillImageQuota: (region) => {
      if (sim.inspect.images(region).length === 0) sim.inspect.addImage({ region, name: 'someone-elses', sizeGiB: 1 });
      sim.inspect.setCopySettings({ imageQuotaPerRegion: sim.inspect.images(region).filter((image) => image.status !== 'deleted').length });
    },
    // IMS allows duplicate names; what it refuses for good is an agency without rights in the destination.
    refuseForGood: () => sim.inspect.setAgency({ name: AGENCY, permittedRegions: [REGIONS.otherDestination] }),
    deleteBehindOurBack: async (region, imageId) => void (await bystander.deleteImage(target(region), imageId)),
  };
  const provider = new HuaweiImsCopyProvider({
    account: 'contract',
    credentials: HW_CREDENTIALS,
    endpointTemplate: sim.endpointTemplate,
    projectIds: sim.projectIds,
    agencyName: AGENCY,
    timeouts: { requestMs: 2_000 },
    retry: { pause: async () => undefined },
  });
  return { provider, driver, close: () => sim.close() };
});
