import { type CreatedCount, type CreatedFilter, type ResourceKind, createdCounts, createdRecords } from './history';
import { settleWorld } from './lifecycle';
import {
  type CopySettings,
  type CopyTask,
  type ImageShare,
  type SimImage,
  type SimInstance,
  type SimLaunchTemplate,
  type SimScalingConfiguration,
  type SimQuirks,
  type SimSnapshot,
  isActiveTask,
} from './model';
import type { NewImage, NewSnapshot } from './new-resources';
import type { CreatedRecord, SimState } from './state';

export interface CopyCount {
  readonly sourceRegion: string;
  readonly sourceImageId: string;
  readonly destinationRegion: string;
  /** Copies that exist now in the destination (any status), whoever asked for them. */
  readonly copies: number;
  readonly imageIds: readonly string[];
}

export interface SharedImage {
  readonly imageId: string;
  readonly region: string;
  readonly accounts: readonly string[];
}

const imageCopy = (image: SimImage): SimImage => ({
  ...image,
  tags: image.tags.map(([k, v]) => [k, v]),
  sharedWith: image.sharedWith.map((share) => ({ ...share })),
});

const snapshotCopy = (snapshot: SimSnapshot): SimSnapshot => ({ ...snapshot, tags: snapshot.tags.map(([k, v]) => [k, v]) });

/**
 * The in-process view tests and the demo use to see the world as the cloud would: what exists,
 * not what the product believes. Every read settles copies and creations up to the clock's now
 * first; every change is saved like an API change.
 */
export class SimInspection {
  constructor(
    private readonly state: SimState,
    private readonly changed: () => void = () => undefined,
  ) {}

  images(region: string): SimImage[] {
    settleWorld(this.state);
    return this.state.imagesIn(region).map(imageCopy);
  }

  image(imageId: string): SimImage | undefined {
    settleWorld(this.state);
    const image = this.state.images.get(imageId);
    return image && imageCopy(image);
  }

  snapshots(region?: string): SimSnapshot[] {
    settleWorld(this.state);
    return [...this.state.snapshots.values()].filter((s) => region === undefined || s.region === region).map(snapshotCopy);
  }

  snapshot(snapshotId: string): SimSnapshot | undefined {
    settleWorld(this.state);
    const snapshot = this.state.snapshots.get(snapshotId);
    return snapshot && snapshotCopy(snapshot);
  }

  snapshotCount(region?: string): number {
    return this.snapshots(region).length;
  }

  /** GiB held in snapshots: what the account pays storage for. */
  snapshotGiB(region?: string): number {
    return this.snapshots(region).reduce((sum, s) => sum + s.sizeGiB, 0);
  }

  copyTasks(): CopyTask[] {
    settleWorld(this.state);
    return [...this.state.tasks.values()].map((t) => ({ ...t }));
  }

  activeCopyTasks(sourceRegion?: string): CopyTask[] {
    return this.copyTasks().filter((t) => isActiveTask(t) && (sourceRegion === undefined || t.sourceRegion === sourceRegion));
  }

  /**
   * Copies per (original image, destination region) still present, including ones nobody tracks.
   * A copy made from a copy counts for the original it came from.
   */
  copyCounts(): CopyCount[] {
    settleWorld(this.state);
    const groups = new Map<string, { sourceRegion: string; sourceImageId: string; destinationRegion: string; imageIds: string[] }>();
    for (const task of this.state.tasks.values()) {
      if (!this.state.images.has(task.destinationImageId)) continue;
      const origin = task.originImageId ?? task.sourceImageId;
      const key = `${origin}\n${task.destinationRegion}`;
      const group = groups.get(key) ?? { sourceRegion: task.sourceRegion, sourceImageId: origin, destinationRegion: task.destinationRegion, imageIds: [] };
      group.imageIds.push(task.destinationImageId);
      groups.set(key, group);
    }
    return [...groups.values()].map((g) => ({ ...g, copies: g.imageIds.length }));
  }

  copiesOf(sourceImageId: string, destinationRegion: string): number {
    return this.copyCounts().find((c) => c.sourceImageId === sourceImageId && c.destinationRegion === destinationRegion)?.copies ?? 0;
  }

  /** Copies whose ids are not in `tracked`: what a lost answer or a crashed dispatcher leaves behind. */
  orphanCopies(tracked: Iterable<string>): string[] {
    const known = new Set(tracked);
    return this.copyCounts().flatMap((c) => c.imageIds.filter((id) => !known.has(id)));
  }

  /** Every image or snapshot ever created (deleted ones included, with `deletedAt`), oldest first. */
  created(kind: ResourceKind, filter: CreatedFilter = {}): CreatedRecord[] {
    settleWorld(this.state);
    return createdRecords(this.state, kind, filter);
  }

  /** Counts of everything ever created per (region, name) or per (region, value of a tag such as a job tag). */
  createdCounts(kind: ResourceKind, by: 'name' | { readonly tagKey: string }): CreatedCount[] {
    settleWorld(this.state);
    return createdCounts(this.state, kind, by);
  }

  /** The accounts an image is shared with, in the order they were added. */
  shares(imageId: string): ImageShare[] {
    return (this.state.images.get(imageId)?.sharedWith ?? []).map((share) => ({ ...share }));
  }

  sharedImages(region?: string): SharedImage[] {
    return [...this.state.images.values()]
      .filter((image) => image.sharedWith.length > 0 && (region === undefined || image.region === region))
      .map((image) => ({ imageId: image.id, region: image.region, accounts: image.sharedWith.map((s) => s.accountId) }));
  }

  instances(region?: string): SimInstance[] {
    return [...this.state.instances.values()].filter((i) => region === undefined || i.region === region).map((i) => ({ ...i }));
  }

  addImage(image: NewImage): SimImage {
    const added = imageCopy(this.state.addImage({ origin: 'inspection', ...image }));
    this.changed();
    return added;
  }

  addSnapshot(snapshot: NewSnapshot): SimSnapshot {
    const added = snapshotCopy(this.state.addSnapshot({ origin: 'inspection', ...snapshot }));
    this.changed();
    return added;
  }

  /** Launches an instance from an image: the image is then in use (Usage=instance, DeleteImage refused without Force). */
  addInstance(instance: { region: string; imageId: string; name?: string; status?: SimInstance['status'] }): SimInstance {
    const added = { ...this.state.addInstance(instance) };
    this.changed();
    return added;
  }

  removeInstance(instanceId: string): void {
    this.state.instances.delete(instanceId);
    this.changed();
  }

  /** A launch template whose versions (1, 2, …) name these images (undefined: a version naming none). */
  addLaunchTemplate(template: { region: string; name?: string; versions: ReadonlyArray<string | undefined> }): SimLaunchTemplate {
    const added = structuredClone(this.state.addLaunchTemplate(template));
    this.changed();
    return added;
  }

  removeLaunchTemplate(templateId: string): void {
    this.state.launchTemplates.delete(templateId);
    this.changed();
  }

  /** Somebody makes a disk from a snapshot: DeleteSnapshot then refuses it unless forced. */
  addDiskFromSnapshot(snapshotId: string): void {
    const snapshot = this.state.snapshots.get(snapshotId);
    if (snapshot === undefined) throw new Error(`no snapshot ${snapshotId}`);
    snapshot.disksMade = (snapshot.disksMade ?? 0) + 1;
    this.changed();
  }

  /** An Auto Scaling configuration launching the image (ESS DescribeScalingConfigurations lists it). */
  addScalingConfiguration(configuration: { region: string; imageId?: string; groupId?: string; lifecycle?: SimScalingConfiguration['lifecycle'] }): SimScalingConfiguration {
    const added = { ...this.state.addScalingConfiguration(configuration) };
    this.changed();
    return added;
  }

  removeScalingConfiguration(configurationId: string): void {
    this.state.scalingConfigurations.delete(configurationId);
    this.changed();
  }

  /** An account without Auto Scaling: ESS then refuses every call with Forbidden.Unsubscribed. */
  setAutoScalingActivated(activated: boolean): void {
    this.state.autoScalingActivated = activated;
    this.changed();
  }

  /** Changes copy bandwidth, limits or quota from now on (running copies keep their duration). */
  setCopySettings(changes: Partial<CopySettings>): void {
    settleWorld(this.state);
    this.state.copySettings = { ...this.state.copySettings, ...changes };
    this.changed();
  }

  setQuirks(changes: Partial<SimQuirks>): void {
    this.state.quirks = { ...this.state.quirks, ...changes };
    this.changed();
  }

  setImageStatus(imageId: string, status: SimImage['status']): void {
    const image = this.state.images.get(imageId);
    if (!image) throw new Error(`no image ${imageId}`);
    image.status = status;
    this.changed();
  }
}
