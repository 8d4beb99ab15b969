import type { Prng } from './prng';
import type { SimClock } from './sim-clock';
import {
  type CopySettings,
  type CopyTask,
  type OwnerAlias,
  type SimDisk,
  SimImageStatus,
  type SimImage,
  type SimQuirks,
  type SimRegion,
  type SimSnapshot,
} from './model';

export interface NewImage {
  readonly region: string;
  readonly name: string;
  readonly sizeGiB: number;
  readonly id?: string | undefined;
  readonly description?: string | undefined;
  readonly status?: SimImageStatus | undefined;
  readonly tags?: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]> | undefined;
  readonly createdAt?: Date | undefined;
  readonly ownerAlias?: OwnerAlias | undefined;
  readonly isCopied?: boolean | undefined;
  readonly encrypted?: boolean | undefined;
  readonly kmsKeyId?: string | undefined;
  readonly resourceGroupId?: string | undefined;
  readonly copyTaskId?: string | undefined;
}

/** What one ClientToken was first used with, and what it answered. */
export interface IdempotencyRecord {
  readonly fingerprint: string;
  readonly imageId: string;
}

/** Everything the simulated account holds. Plain storage; the rules live in the actions. */
export class SimState {
  readonly regions = new Map<string, SimRegion>();
  readonly images = new Map<string, SimImage>();
  readonly snapshots = new Map<string, SimSnapshot>();
  readonly tasks = new Map<string, CopyTask>();
  readonly clientTokens = new Map<string, IdempotencyRecord>();
  #taskSeq = 0;

  constructor(
    regions: readonly SimRegion[],
    public copySettings: CopySettings,
    readonly clock: SimClock,
    readonly random: Prng,
    public quirks: SimQuirks = { deleteMissingImage: 'ignore' },
  ) {
    for (const region of regions) this.regions.set(region.id, region);
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

  nextTaskSeq(): number {
    this.#taskSeq += 1;
    return this.#taskSeq;
  }

  /** Adds an image and the snapshot behind its system disk. */
  addImage(input: NewImage): SimImage {
    if (!this.hasRegion(input.region)) throw new Error(`unknown region ${input.region}`);
    const id = input.id ?? this.newImageId();
    if (this.images.has(id)) throw new Error(`duplicate image id ${id}`);
    const createdAt = input.createdAt?.getTime() ?? this.nowMs();
    const status = input.status ?? SimImageStatus.Available;
    const snapshot: SimSnapshot = {
      id: this.newSnapshotId(),
      region: input.region,
      sizeGiB: input.sizeGiB,
      imageId: id,
      createdAt,
      status: status === SimImageStatus.Available ? 'accomplished' : 'progressing',
    };
    this.snapshots.set(snapshot.id, snapshot);
    const disk: SimDisk = { device: '/dev/xvda', type: 'system', sizeGiB: input.sizeGiB, snapshotId: snapshot.id };
    const tags = input.tags === undefined ? [] : Array.isArray(input.tags) ? [...input.tags] : Object.entries(input.tags);
    const image: SimImage = {
      id,
      region: input.region,
      name: input.name,
      description: input.description ?? '',
      sizeGiB: input.sizeGiB,
      status,
      tags,
      createdAt,
      ownerAlias: input.ownerAlias ?? 'self',
      isCopied: input.isCopied ?? false,
      encrypted: input.encrypted ?? false,
      kmsKeyId: input.kmsKeyId,
      resourceGroupId: input.resourceGroupId ?? '',
      disks: [disk],
      copyTaskId: input.copyTaskId,
    };
    this.images.set(id, image);
    return image;
  }

  imagesIn(region: string): SimImage[] {
    return [...this.images.values()].filter((image) => image.region === region);
  }

  findImage(region: string, imageId: string): SimImage | undefined {
    const image = this.images.get(imageId);
    return image?.region === region ? image : undefined;
  }

  /** Removes an image and the snapshots that back it. */
  removeImage(imageId: string): void {
    this.images.delete(imageId);
    for (const snapshot of [...this.snapshots.values()]) {
      if (snapshot.imageId === imageId) this.snapshots.delete(snapshot.id);
    }
  }

  markSnapshots(imageId: string, status: SimSnapshot['status']): void {
    for (const snapshot of this.snapshots.values()) {
      if (snapshot.imageId === imageId) snapshot.status = status;
    }
  }

  #uniqueId(prefix: string, taken: ReadonlyMap<string, unknown>): string {
    for (;;) {
      const id = `${prefix}${this.random.chars(20)}`;
      if (!taken.has(id)) return id;
    }
  }
}
