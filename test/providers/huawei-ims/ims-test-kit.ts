import type { CopyInFlight, CopyRequest } from '../../../shared/core/ports/copy-provider';
import type { AccessKeyCredentials } from '../../../shared/core/ports/credentials';
import { ImsClient, type ImsClientOptions, type ImsTarget } from '../../../shared/providers/huawei-ims/client';
import { HuaweiImsCopyProvider, type HuaweiImsCopyProviderOptions } from '../../../shared/providers/huawei-ims/huawei-copy-provider';
import { type ImsSimulator, createImsSimulator } from '../../../sim/huawei/ims-simulator';
import type { ImsSeedInput } from '../../../sim/huawei/seed';
import { ManualSimClock } from '../../../sim/sim-clock';

export const HW_CREDENTIALS: AccessKeyCredentials = { accessKeyId: 'HWTESTAK00000000000001', accessKeySecret: 'hw-test-secret-7c1f0e' };
export const HW_STS: AccessKeyCredentials = {
  accessKeyId: 'HWSTSAK00000000000002',
  accessKeySecret: 'hw-sts-secret-94d2aa',
  securityToken: 'hw-sts-token-gQ5xYz0123456789',
};

export const SOURCE = 'cn-north-4';
export const DESTINATION = 'cn-east-3';
export const FAR = 'ap-southeast-1';
export const AGENCY = 'ims_admin_agency';

/** 10 GiB at 10 MiB/s with 100 s overhead: a copy runs 1124 s after 30 s of INIT. */
export const INIT_SECONDS = 30;
export const COPY_SECONDS = 1124;

export const GOLDEN_ID = '6f1c2a9e-0b7d-4c1e-9a55-1d2e3f4a5b60';
export const BIG_ID = '7a2d3b0f-1c8e-4d2f-8b66-2e3f4a5b6c71';
export const HUGE_ID = '8b3e4c1a-2d9f-4e3a-9c77-3f4a5b6c7d82';
export const ENCRYPTED_ID = '9c4f5d2b-3e0a-4f4b-8d88-4a5b6c7d8e93';

export const DEFAULT_SEED: ImsSeedInput = {
  credentials: [HW_CREDENTIALS, HW_STS],
  regions: [SOURCE, DESTINATION, 'cn-south-1', FAR, 'eu-west-0'],
  copy: { bandwidthMiBps: 10, overheadSeconds: 100, initSeconds: INIT_SECONDS },
  images: [
    { region: SOURCE, id: GOLDEN_ID, name: 'golden-web', sizeGiB: 10, tags: { role: 'golden' } },
    { region: SOURCE, id: BIG_ID, name: 'golden-big', sizeGiB: 200 },
    { region: SOURCE, id: HUGE_ID, name: 'golden-huge', sizeGiB: 400 },
    { region: SOURCE, id: ENCRYPTED_ID, name: 'golden-secret', sizeGiB: 10, encrypted: true },
  ],
};

export interface ImsKit {
  readonly sim: ImsSimulator;
  readonly clock: ManualSimClock;
  /** Every wait the client's retries asked for, in ms: they are recorded, never slept. */
  readonly pauses: number[];
  client(options?: Partial<ImsClientOptions>): ImsClient;
  provider(options?: Partial<HuaweiImsCopyProviderOptions>): HuaweiImsCopyProvider;
  target(region: string): ImsTarget;
  close(): Promise<void>;
}

/** A simulator on 127.0.0.1 with a manual job clock, and a client and a provider pointed at it. */
export const startImsKit = async (seed: Partial<ImsSeedInput> = {}): Promise<ImsKit> => {
  const clock = new ManualSimClock('2026-11-20T08:00:00Z');
  const sim = await createImsSimulator({ clock, seed: { ...DEFAULT_SEED, ...seed } });
  const pauses: number[] = [];
  const retry = {
    pause: async (ms: number) => {
      pauses.push(ms);
      await Promise.resolve();
    },
  };
  return {
    sim,
    clock,
    pauses,
    client: (options = {}) => new ImsClient({ credentials: HW_CREDENTIALS, endpointTemplate: sim.endpointTemplate, timeoutMs: 2_000, retry, ...options }),
    provider: (options = {}) =>
      new HuaweiImsCopyProvider({
        account: 'test',
        credentials: HW_CREDENTIALS,
        endpointTemplate: sim.endpointTemplate,
        projectIds: sim.projectIds,
        agencyName: AGENCY,
        timeouts: { requestMs: 2_000 },
        retry,
        ...options,
      }),
    target: (region) => ({ region, projectId: sim.inspect.projectId(region) }),
    close: () => sim.close(),
  };
};

export const JOB_ID = 'rj-0123456789abcdef01234567';

/** A copy request as the core builds it: deterministic name, our tags, the policy's options. */
export const copyRequest = (overrides: { jobId?: string; source?: Partial<CopyRequest['source']>; destination?: Partial<CopyRequest['destination']> } = {}): CopyRequest => {
  const jobId = overrides.jobId ?? JOB_ID;
  const source = { region: SOURCE, imageId: GOLDEN_ID, sizeGiB: 10, ...overrides.source };
  return {
    jobId,
    source,
    destination: {
      region: DESTINATION,
      name: `golden-web-${DESTINATION}`,
      description: 'Web tier golden image',
      tags: {
        role: 'golden',
        'image-replicator:managed': 'true',
        'image-replicator:source-image': source.imageId,
        'image-replicator:source-region': source.region,
        'image-replicator:job': jobId,
      },
      ...overrides.destination,
    },
    idempotencyToken: `${jobId}-r1-a1`,
    claimedAt: new Date('2026-11-20T08:00:00Z'),
  };
};

/** The core's record of a started copy. */
export const inFlight = (request: CopyRequest, handle: string): CopyInFlight => ({
  jobId: request.jobId,
  handle,
  sourceRegion: request.source.region,
  sourceImageId: request.source.imageId,
  destinationRegion: request.destination.region,
  destinationName: request.destination.name,
  tags: request.destination.tags,
  startedAt: request.claimedAt,
});

/** What a rejected call threw. */
export const rejection = async (promise: Promise<unknown>): Promise<Record<string, unknown> & Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown> & Error;
  }
  throw new Error('expected the call to be rejected');
};
