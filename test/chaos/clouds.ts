import { ProviderId } from '../../shared/core/domain/provider';
import type { EcsSimulator } from '../../sim/ecs-simulator';
import type { FaultController } from '../../sim/faults';
import type { ImsSimulator } from '../../sim/huawei/ims-simulator';
import { CopyTaskStatus } from '../../sim/model';
import type { LoggedRequest } from '../../sim/request-log';

/** `golden` images go to three regions and two webhooks; `big` ones to one region with a short timeout; `doomed` ones never arrive (IMS refuses them; ECS copies them through snapshots, slower than their timeout). */
export type ImageRole = 'golden' | 'big' | 'doomed';

export interface WorldImage {
  readonly name: string;
  readonly sizeGiB: number;
  readonly role: ImageRole;
  /** Starts being built (the product waits for it) and becomes available at this virtual minute. */
  readonly availableAtMinute?: number | undefined;
}

/** One copy a simulator ever made, deleted ones included: what each job's outcome is held against. */
export interface CopyMade {
  readonly sourceImageId: string;
  readonly destinationRegion: string;
  readonly imageId: string;
  readonly name: string;
  /** The simulator ended it failed (a scripted copy failure). */
  readonly failed: boolean;
  /** Still in the destination now (in any state but deleted). */
  readonly live: boolean;
  /** Who the cloud shares it with now (accounts; IMS: member projects). */
  readonly sharedWith: readonly string[];
}

/** A copy request as it reached the simulator's wire, answered or not. */
export interface CopyCall {
  readonly status: number;
  readonly destinationRegion: string;
  readonly name: string;
  /** Alibaba only: what makes a retried call the same copy. */
  readonly clientToken?: string | undefined;
}

/** The same questions, asked of either cloud: the invariants and the scenarios do not care which. */
export interface CloudView {
  readonly provider: ProviderId;
  readonly sourceRegion: string;
  readonly goldenDestinations: readonly string[];
  readonly bigDestination: string;
  readonly doomedDestination: string;
  /** The simulator's action names for a copy and a deletion (faults are scripted per action). */
  readonly copyAction: string;
  readonly deleteAction: string;
  readonly faults: FaultController;
  /** The next `times` accepted copies end failed part-way (both simulators decide this under `CopyImage`). */
  failNextCopies(times: number): void;
  imageId(name: string): string;
  makeAvailable(name: string): void;
  /** An image somebody else made in a destination (not a copy of ours, no job tag or marker). */
  addStranger(region: string, name: string): string;
  /** Whether that image is still there, and its tags. */
  image(imageId: string): { readonly exists: boolean; readonly tags: Readonly<Record<string, string>> };
  copies(): CopyMade[];
  /** New copy calls since the last look; read every turn so the simulator's bounded log never drops one. */
  takeCopyCalls(): CopyCall[];
  requestCounts(): Readonly<Record<string, number>>;
  /** The last requests, oldest first (bounded): for a scenario's claim about order. */
  recentRequests(): readonly LoggedRequest[];
}

/** Reads the calls logged since the last read, whatever else the bounded log has dropped since. */
const callTap = (requests: { count(action: string): number; recent(action?: string): readonly LoggedRequest[] }, action: string) => {
  let seen = 0;
  return (): LoggedRequest[] => {
    const total = requests.count(action);
    const fresh = total - seen;
    seen = total;
    return fresh <= 0 ? [] : requests.recent(action).slice(-fresh);
  };
};

export const ECS_SOURCE = 'cn-hangzhou';
export const ECS_GOLDEN = ['cn-shanghai', 'cn-beijing', 'eu-central-1'] as const;
export const ECS_BIG = 'cn-shanghai';
/** CopyImage takes at most 2,048 GiB: a 3,000 GiB image is refused before any call. */
export const ECS_DOOMED = 'cn-beijing';

export const ecsCloud = (simulator: EcsSimulator): CloudView => {
  const ids = new Map(simulator.inspect.images(ECS_SOURCE).map((image) => [image.name, image.id]));
  const imageId = (name: string): string => {
    const id = ids.get(name);
    if (id === undefined) throw new Error(`no seeded image named ${name}`);
    return id;
  };
  const tap = callTap(simulator.requests, 'CopyImage');
  return {
    provider: ProviderId.Alibaba,
    sourceRegion: ECS_SOURCE,
    goldenDestinations: ECS_GOLDEN,
    bigDestination: ECS_BIG,
    doomedDestination: ECS_DOOMED,
    copyAction: 'CopyImage',
    deleteAction: 'DeleteImage',
    faults: simulator.faults,
    failNextCopies: (times) => simulator.faults.injectNext('CopyImage', 'copyFailure', times),
    imageId,
    makeAvailable: (name) => simulator.inspect.setImageStatus(imageId(name), 'Available'),
    addStranger: (region, name) => simulator.inspect.addImage({ region, name, sizeGiB: 20, status: 'Available', tags: { owner: 'somebody-else' } }).id,
    image: (id) => {
      const image = simulator.inspect.image(id);
      return { exists: image !== undefined, tags: Object.fromEntries(image?.tags ?? []) };
    },
    copies: () => {
      const names = new Map(simulator.inspect.created('image', { origin: 'CopyImage' }).map((record) => [record.id, record.name]));
      return simulator.inspect.copyTasks().map((task) => ({
        // A relayed copy (a copy of a copy) is a copy of the original.
        sourceImageId: task.originImageId ?? task.sourceImageId,
        destinationRegion: task.destinationRegion,
        imageId: task.destinationImageId,
        name: names.get(task.destinationImageId) ?? '',
        failed: task.status === CopyTaskStatus.Failed,
        live: simulator.inspect.image(task.destinationImageId) !== undefined,
        sharedWith: simulator.inspect.shares(task.destinationImageId).map((share) => share.accountId),
      }));
    },
    takeCopyCalls: () =>
      tap().map((request) => ({
        status: request.status,
        destinationRegion: request.params.DestinationRegionId ?? '',
        name: request.params.DestinationImageName ?? '',
        clientToken: request.params.ClientToken,
      })),
    requestCounts: () => simulator.requests.counts(),
    recentRequests: () => simulator.requests.recent(),
  };
};

export const IMS_SOURCE = 'cn-north-4';
export const IMS_GOLDEN = ['cn-east-3', 'ap-southeast-1', 'cn-south-1'] as const;
/** Both ends take copies of up to 300 GiB. */
export const IMS_BIG = 'cn-east-3';
/** IMS copies at most 128 GiB from cn-north-4 to ap-southeast-1 (and 300 anywhere): a 3,000 GiB image is refused. */
export const IMS_DOOMED = 'ap-southeast-1';
export const IMS_AGENCY = 'ims_admin_agency';
/** The largest image a world seeds on IMS, other than a doomed one. */
export const IMS_MAX_COPYABLE_GIB = 300;

export const imsCloud = (simulator: ImsSimulator): CloudView => {
  const ids = new Map(simulator.inspect.images(IMS_SOURCE).map((image) => [image.name, image.id]));
  const imageId = (name: string): string => {
    const id = ids.get(name);
    if (id === undefined) throw new Error(`no seeded image named ${name}`);
    return id;
  };
  const tap = callTap(simulator.requests, 'CopyImageCrossRegion');
  return {
    provider: ProviderId.Huawei,
    sourceRegion: IMS_SOURCE,
    goldenDestinations: IMS_GOLDEN,
    bigDestination: IMS_BIG,
    doomedDestination: IMS_DOOMED,
    copyAction: 'CopyImageCrossRegion',
    deleteAction: 'GlanceDeleteImage',
    faults: simulator.faults,
    failNextCopies: (times) => simulator.faults.injectNext('CopyImage', 'copyFailure', times),
    imageId,
    makeAvailable: (name) => simulator.inspect.setImageStatus(imageId(name), 'active'),
    addStranger: (region, name) => simulator.inspect.addImage({ region, name, sizeGiB: 20, status: 'active', description: 'made by hand', tags: { owner: 'somebody-else' } }).id,
    image: (id) => {
      const image = simulator.inspect.image(id);
      return { exists: image !== undefined && image.status !== 'deleted', tags: image?.tags ?? {} };
    },
    copies: () => {
      const failedJobs = new Set(simulator.inspect.jobs().filter((job) => job.status === 'FAIL').map((job) => job.id));
      return simulator.inspect.copyRecords().map((record) => {
        const image = simulator.inspect.image(record.imageId);
        return {
          sourceImageId: record.sourceImageId,
          destinationRegion: record.destinationRegion,
          imageId: record.imageId,
          name: record.name,
          failed: failedJobs.has(record.jobId),
          live: image !== undefined && image.status !== 'deleted',
          sharedWith: image?.members ?? [],
        };
      });
    },
    takeCopyCalls: () =>
      tap().map((request) => ({ status: request.status, destinationRegion: request.params['body.region'] ?? '', name: request.params['body.name'] ?? '' })),
    requestCounts: () => simulator.requests.counts(),
    recentRequests: () => simulator.requests.recent(),
  };
};
