import type { Prng } from './prng';
import type { SimClock } from './sim-clock';
import {
  type CopySettings,
  type CopyTask,
  type ImageCreationSettings,
  type SimAccounts,
  type SimDisk,
  SimImageStatus,
  type SimImage,
  type SimInstance,
  type SimLaunchTemplate,
  type SimScalingConfiguration,
  type SimQuirks,
  type SimRegion,
  type SimSnapshot,
  type TagList,
  osTypeOf,
} from './model';
import { type NewImage, type NewSnapshot, defaultDevices, tagList } from './new-resources';

/** What one ClientToken was first used with, and what it answered. */
export interface IdempotencyRecord {
  readonly fingerprint: string;
  readonly resourceId: string;
}

/** One image or snapshot ever made, kept after deletion so test oracles can count what a run created. */
export interface CreatedRecord {
  readonly kind: 'image' | 'snapshot';
  readonly id: string;
  readonly region: string;
  readonly origin: string;
  readonly createdAt: number;
  /** Name and tags as last seen: live while the resource exists, frozen when it is deleted. */
  name: string;
  tags: TagList;
  deletedAt?: number | undefined;
}

export interface SimStateConfig {
  readonly regions: readonly SimRegion[];
  readonly copy: CopySettings;
  readonly quirks?: SimQuirks | undefined;
  readonly imageCreation?: ImageCreationSettings | undefined;
  readonly accounts?: SimAccounts | undefined;
}

export const DEFAULT_ACCOUNT_ID = '1234567890123456';

/** Everything the simulated account holds. Plain storage; the rules live in the actions. */
export class SimState {
  readonly regions = new Map<string, SimRegion>();
  readonly images = new Map<string, SimImage>();
  readonly snapshots = new Map<string, SimSnapshot>();
  readonly tasks = new Map<string, CopyTask>();
  readonly clientTokens = new Map<string, IdempotencyRecord>();
  readonly instances = new Map<string, SimInstance>();
  readonly launchTemplates = new Map<string, SimLaunchTemplate>();
  readonly scalingConfigurations = new Map<string, SimScalingConfiguration>();
  /** Whether the account activated Auto Scaling; ESS refuses every call (Forbidden.Unsubscribed) when not. */
  autoScalingActivated = true;
  readonly history = new Map<string, CreatedRecord>();
  copySettings: CopySettings;
  quirks: SimQuirks;
  imageCreation: ImageCreationSettings;
  accounts: SimAccounts;
  /** Last copy-task sequence number handed out; persisted so a restored world continues it. */
  taskSeq = 0;

  constructor(
    config: SimStateConfig,
    readonly clock: SimClock,
    readonly random: Prng,
  ) {
    for (const region of config.regions) this.regions.set(region.id, region);
    this.copySettings = config.copy;
    this.quirks = config.quirks ?? { deleteMissingImage: 'ignore' };
    this.imageCreation = config.imageCreation ?? { durationSeconds: 60 };
    this.accounts = config.accounts ?? { accountId: DEFAULT_ACCOUNT_ID };
  }

  nowMs(): number {
    return this.clock.now().getTime();
  }

  hasRegion(region: string): boolean {
    return this.regions.has(region);
  }

  newImageId(): string {
    return this.#uniqueId('m-', this.images);
  }

  newSnapshotId(): string {
    return this.#uniqueId('s-', this.snapshots);
  }

  newInstanceId(): string {
    return this.#uniqueId('i-', this.instances);
  }

  addLaunchTemplate(input: { region: string; name?: string | undefined; versions: ReadonlyArray<string | undefined> }): SimLaunchTemplate {
    if (!this.hasRegion(input.region)) throw new Error(`unknown region ${input.region}`);
    const id = this.#uniqueId('lt-', this.launchTemplates);
    const template: SimLaunchTemplate = {
      id,
      region: input.region,
      name: input.name ?? id,
      versions: input.versions.map((imageId, index) => ({ number: index + 1, imageId })),
      createdAt: this.nowMs(),
    };
    this.launchTemplates.set(id, template);
    return template;
  }

  addScalingConfiguration(input: { region: string; imageId?: string | undefined; groupId?: string | undefined; lifecycle?: SimScalingConfiguration['lifecycle'] | undefined }): SimScalingConfiguration {
    if (!this.hasRegion(input.region)) throw new Error(`unknown region ${input.region}`);
    const id = this.#uniqueId('asc-', this.scalingConfigurations);
    const configuration: SimScalingConfiguration = {
      id,
      region: input.region,
      groupId: input.groupId ?? `asg-${this.random.chars(20)}`,
      imageId: input.imageId,
      lifecycle: input.lifecycle ?? 'Active',
      createdAt: this.nowMs(),
    };
    this.scalingConfigurations.set(id, configuration);
    return configuration;
  }

  nextTaskSeq(): number {
    this.taskSeq += 1;
    return this.taskSeq;
  }

  /** Adds an image, with a snapshot of its own for every disk that does not come from an existing one. */
  addImage(input: NewImage): SimImage {
    if (!this.hasRegion(input.region)) throw new Error(`unknown region ${input.region}`);
    const id = input.id ?? this.newImageId();
    if (this.images.has(id) || this.history.has(id)) throw new Error(`duplicate image id ${id}`);
    const createdAt = input.createdAt?.getTime() ?? this.nowMs();
    const status = input.status ?? SimImageStatus.Available;
    const wanted = input.disks ?? [{ type: 'system' as const, sizeGiB: input.sizeGiB }];
    const devices = defaultDevices(wanted);
    const disks: SimDisk[] = wanted.map((disk, index) => {
      const device = devices[index] ?? '/dev/xvda';
      if (disk.fromSnapshotId !== undefined) return { device, type: disk.type, sizeGiB: disk.sizeGiB, snapshotId: disk.fromSnapshotId };
      const snapshot = this.addSnapshot({
        id: disk.snapshotId,
        region: input.region,
        sizeGiB: disk.sizeGiB,
        diskType: disk.type,
        imageId: id,
        createdAt,
        status: status === SimImageStatus.Available ? 'accomplished' : 'progressing',
        encrypted: input.encrypted,
        kmsKeyId: input.kmsKeyId,
        origin: input.origin,
      });
      return { device, type: disk.type, sizeGiB: disk.sizeGiB, snapshotId: snapshot.id };
    });
    const platform = input.platform ?? 'Aliyun';
    const image: SimImage = {
      id,
      region: input.region,
      name: input.name,
      description: input.description ?? '',
      sizeGiB: input.sizeGiB,
      status,
      tags: tagList(input.tags),
      createdAt,
      ownerAlias: input.ownerAlias ?? 'self',
      isCopied: input.isCopied ?? false,
      encrypted: input.encrypted ?? false,
      kmsKeyId: input.kmsKeyId,
      resourceGroupId: input.resourceGroupId ?? '',
      disks,
      copyTaskId: input.copyTaskId,
      platform,
      architecture: input.architecture ?? 'x86_64',
      bootMode: input.bootMode ?? 'BIOS',
      osType: osTypeOf(platform),
      imageFamily: input.imageFamily ?? '',
      sharedWith: [...(input.sharedWith ?? [])],
      readyAt: input.readyAt,
    };
    this.images.set(id, image);
    this.#record('image', image, input.origin);
    return image;
  }

  addSnapshot(input: NewSnapshot): SimSnapshot {
    if (!this.hasRegion(input.region)) throw new Error(`unknown region ${input.region}`);
    const id = input.id ?? this.newSnapshotId();
    if (this.snapshots.has(id) || this.history.has(id)) throw new Error(`duplicate snapshot id ${id}`);
    const snapshot: SimSnapshot = {
      id,
      region: input.region,
      sizeGiB: input.sizeGiB,
      imageId: input.imageId,
      diskType: input.diskType,
      name: input.name ?? '',
      description: input.description ?? '',
      createdAt: input.createdAt ?? this.nowMs(),
      status: input.status ?? 'accomplished',
      encrypted: input.encrypted ?? false,
      kmsKeyId: input.kmsKeyId,
      tags: tagList(input.tags),
      retentionDays: input.retentionDays,
      copy: input.copy,
    };
    this.snapshots.set(id, snapshot);
    this.#record('snapshot', snapshot, input.origin);
    return snapshot;
  }

  addInstance(input: { region: string; imageId: string; name?: string | undefined; id?: string | undefined; status?: SimInstance['status'] | undefined }): SimInstance {
    if (!this.hasRegion(input.region)) throw new Error(`unknown region ${input.region}`);
    const id = input.id ?? this.newInstanceId();
    if (this.instances.has(id)) throw new Error(`duplicate instance id ${id}`);
    const instance: SimInstance = {
      id,
      region: input.region,
      name: input.name ?? id,
      imageId: input.imageId,
      status: input.status ?? 'Running',
      createdAt: this.nowMs(),
    };
    this.instances.set(id, instance);
    return instance;
  }

  imagesIn(region: string): SimImage[] {
    return [...this.images.values()].filter((image) => image.region === region);
  }

  findImage(region: string, imageId: string): SimImage | undefined {
    const image = this.images.get(imageId);
    return image?.region === region ? image : undefined;
  }

  findSnapshot(region: string, snapshotId: string): SimSnapshot | undefined {
    const snapshot = this.snapshots.get(snapshotId);
    return snapshot?.region === region ? snapshot : undefined;
  }

  /** Images (any status) whose disks are made from the snapshot: they keep it from being deleted. */
  imagesUsingSnapshot(snapshotId: string): SimImage[] {
    return [...this.images.values()].filter((image) => image.disks.some((disk) => disk.snapshotId === snapshotId));
  }

  instancesUsing(image: SimImage): SimInstance[] {
    return [...this.instances.values()].filter((i) => i.region === image.region && i.imageId === image.id);
  }

  /**
   * Removes an image. Its own snapshots go with it when `snapshots` is `withImage` (a cancelled
   * or failed copy, or the legacy DeleteImage default); snapshots it merely uses always stay.
   */
  removeImage(imageId: string, snapshots: 'withImage' | 'keep' = 'withImage'): void {
    const image = this.images.get(imageId);
    this.images.delete(imageId);
    if (image) this.#recordDeletion(image);
    if (snapshots === 'keep') return;
    for (const snapshot of [...this.snapshots.values()]) {
      if (snapshot.imageId === imageId) this.removeSnapshot(snapshot.id);
    }
  }

  removeSnapshot(snapshotId: string): void {
    const snapshot = this.snapshots.get(snapshotId);
    this.snapshots.delete(snapshotId);
    if (snapshot) this.#recordDeletion(snapshot);
  }

  markSnapshots(imageId: string, status: SimSnapshot['status']): void {
    for (const snapshot of this.snapshots.values()) {
      if (snapshot.imageId === imageId) snapshot.status = status;
    }
  }

  #record(kind: CreatedRecord['kind'], resource: SimImage | SimSnapshot, origin: string | undefined): void {
    this.history.set(resource.id, {
      kind,
      id: resource.id,
      region: resource.region,
      origin: origin ?? 'unknown',
      createdAt: resource.createdAt,
      name: resource.name,
      tags: resource.tags,
    });
  }

  #recordDeletion(resource: SimImage | SimSnapshot): void {
    const record = this.history.get(resource.id);
    if (!record) return;
    record.name = resource.name;
    record.tags = resource.tags.map(([k, v]) => [k, v]);
    record.deletedAt = this.nowMs();
  }

  /** Ids are never reused, not even those of deleted resources or those a restored world had issued. */
  #uniqueId(prefix: string, taken: ReadonlyMap<string, unknown>): string {
    for (;;) {
      const id = `${prefix}${this.random.chars(20)}`;
      if (!taken.has(id) && !this.history.has(id)) return id;
    }
  }
}
