import type { Prng } from '../prng';
import type { SimClock } from '../sim-clock';
import {
  type AgencySettings,
  type CopyRecord,
  type CopySettings,
  ImsImageStatus,
  ImsImageType,
  type SimImsImage,
  type SimJob,
  type SimQuirks,
  type SimRegion,
  type SimScalingConfig,
  type SimServer,
  bytesOfGiB,
} from './model';

export interface NewImsImage {
  readonly region: string;
  readonly name: string;
  readonly sizeGiB?: number | undefined;
  readonly sizeBytes?: number | undefined;
  readonly id?: string | undefined;
  readonly minDiskGiB?: number | undefined;
  readonly description?: string | undefined;
  readonly status?: SimImsImage['status'] | undefined;
  readonly imageType?: SimImsImage['imageType'] | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
  readonly encrypted?: boolean | undefined;
  readonly osType?: string | undefined;
  readonly platform?: string | undefined;
  readonly createdAt?: Date | undefined;
  readonly originalImageId?: string | undefined;
  readonly copyJobId?: string | undefined;
}

const HEX = '0123456789abcdef';
/** Public images belong to the platform's own project, not the tenant's. */
export const PUBLIC_OWNER = '0000000000000000000000000000beef';

/** Everything the simulated tenant holds. Plain storage; the API rules live in the routes. */
export class ImsSimState {
  readonly regions = new Map<string, SimRegion>();
  readonly images = new Map<string, SimImsImage>();
  readonly jobs = new Map<string, SimJob>();
  readonly copyRecords: CopyRecord[] = [];
  /** Cloud servers, by id: the ECS side of the tenant, as far as which image each runs from. */
  readonly servers = new Map<string, SimServer>();
  /** AS configurations, by id, in creation order: which images scale-outs would launch. */
  readonly scalingConfigs = new Map<string, SimScalingConfig>();
  /** Copies a test asked to fail or stall, whatever the probabilities say. */
  scriptedFailures = 0;
  scriptedStalls = 0;

  constructor(
    regions: readonly SimRegion[],
    public copySettings: CopySettings,
    public agency: AgencySettings,
    public quirks: SimQuirks,
    readonly clock: SimClock,
    readonly random: Prng,
  ) {
    for (const region of regions) this.regions.set(region.id, region);
  }

  nowMs(): number {
    return this.clock.now().getTime();
  }

  projectOf(region: string): string | undefined {
    return this.regions.get(region)?.projectId;
  }

  newImageId(): string {
    for (;;) {
      const hex = this.random.chars(32, HEX);
      const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      if (!this.images.has(id)) return id;
    }
  }

  newJobId(): string {
    for (;;) {
      const id = this.random.chars(32, HEX);
      if (!this.jobs.has(id)) return id;
    }
  }

  addImage(input: NewImsImage): SimImsImage {
    const owner = this.projectOf(input.region);
    if (owner === undefined) throw new Error(`unknown region ${input.region}`);
    const id = input.id ?? this.newImageId();
    if (this.images.has(id)) throw new Error(`image ${id} exists already`);
    const sizeBytes = input.sizeBytes ?? bytesOfGiB(input.sizeGiB ?? 40);
    const at = input.createdAt?.getTime() ?? this.nowMs();
    const status = input.status ?? ImsImageStatus.Active;
    const imageType = input.imageType ?? ImsImageType.Private;
    const image: SimImsImage = {
      id,
      region: input.region,
      owner: imageType === ImsImageType.Gold ? PUBLIC_OWNER : owner,
      name: input.name,
      description: input.description ?? '',
      status,
      imageType,
      sizeBytes,
      minDiskGiB: input.minDiskGiB ?? Math.max(40, Math.ceil(sizeBytes / bytesOfGiB(1))),
      tags: new Map(Object.entries(input.tags ?? {})),
      cmkId: input.encrypted === true ? `${this.random.chars(8, HEX)}-kms-key` : undefined,
      osType: input.osType ?? 'Linux',
      platform: input.platform ?? 'Ubuntu',
      createdAt: at,
      updatedAt: at,
      activeAt: status === ImsImageStatus.Active ? at : undefined,
      originalImageId: input.originalImageId,
      copyJobId: input.copyJobId,
      members: new Set(),
    };
    this.images.set(id, image);
    return image;
  }

  /** A server started from an image of the region (any image id: ECS does not check it here). */
  addServer(region: string, imageId: string, name: string): SimServer {
    if (!this.regions.has(region)) throw new Error(`unknown region ${region}`);
    const hex = this.random.chars(32, HEX);
    const server: SimServer = { id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`, region, name, imageId };
    this.servers.set(server.id, server);
    return server;
  }

  /** An AS configuration launching these images (any ids: AS does not check them here). */
  addScalingConfig(region: string, images: { imageRef?: string | undefined; dataDiskImageIds?: readonly string[] | undefined; groupId?: string | undefined }): SimScalingConfig {
    if (!this.regions.has(region)) throw new Error(`unknown region ${region}`);
    const hex = this.random.chars(32, HEX);
    const config: SimScalingConfig = {
      id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
      region,
      groupId: images.groupId,
      imageRef: images.imageRef,
      dataDiskImageIds: [...(images.dataDiskImageIds ?? [])],
      createdAt: this.nowMs(),
    };
    this.scalingConfigs.set(config.id, config);
    return config;
  }

  /** Images of a region as ListImages sees them: newest first (the default sort), lingering deleted ones included. */
  imagesIn(region: string): SimImsImage[] {
    return [...this.images.values()]
      .filter((image) => image.region === region)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  }
}
