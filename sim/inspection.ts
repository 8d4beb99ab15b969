import { settle } from './copy-scheduler';
import { type CopySettings, type CopyTask, type SimImage, type SimQuirks, type SimSnapshot, isActiveTask } from './model';
import type { NewImage, SimState } from './state';

export interface CopyCount {
  readonly sourceRegion: string;
  readonly sourceImageId: string;
  readonly destinationRegion: string;
  /** Copies that exist now in the destination (any status), whoever asked for them. */
  readonly copies: number;
  readonly imageIds: readonly string[];
}

/**
 * The in-process view tests and the demo use to see the world as the cloud would: what exists,
 * not what the product believes. Every read settles copies up to the clock's now first.
 */
export class SimInspection {
  constructor(private readonly state: SimState) {}

  images(region: string): SimImage[] {
    settle(this.state);
    return this.state.imagesIn(region).map((image) => ({ ...image }));
  }

  image(imageId: string): SimImage | undefined {
    settle(this.state);
    const image = this.state.images.get(imageId);
    return image && { ...image };
  }

  snapshots(region?: string): SimSnapshot[] {
    settle(this.state);
    return [...this.state.snapshots.values()].filter((s) => region === undefined || s.region === region).map((s) => ({ ...s }));
  }

  snapshotCount(region?: string): number {
    return this.snapshots(region).length;
  }

  /** GiB held in snapshots: what the account pays storage for. */
  snapshotGiB(region?: string): number {
    return this.snapshots(region).reduce((sum, s) => sum + s.sizeGiB, 0);
  }

  copyTasks(): CopyTask[] {
    settle(this.state);
    return [...this.state.tasks.values()].map((t) => ({ ...t }));
  }

  activeCopyTasks(sourceRegion?: string): CopyTask[] {
    return this.copyTasks().filter((t) => isActiveTask(t) && (sourceRegion === undefined || t.sourceRegion === sourceRegion));
  }

  /** Copies per (source image, destination region) still present, including ones nobody tracks. */
  copyCounts(): CopyCount[] {
    settle(this.state);
    const groups = new Map<string, { sourceRegion: string; sourceImageId: string; destinationRegion: string; imageIds: string[] }>();
    for (const task of this.state.tasks.values()) {
      if (!this.state.images.has(task.destinationImageId)) continue;
      const key = `${task.sourceImageId}\n${task.destinationRegion}`;
      const group = groups.get(key) ?? { sourceRegion: task.sourceRegion, sourceImageId: task.sourceImageId, destinationRegion: task.destinationRegion, imageIds: [] };
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

  addImage(image: NewImage): SimImage {
    return { ...this.state.addImage(image) };
  }

  /** Changes copy bandwidth, limits or quota from now on (running copies keep their duration). */
  setCopySettings(changes: Partial<CopySettings>): void {
    settle(this.state);
    this.state.copySettings = { ...this.state.copySettings, ...changes };
  }

  setQuirks(changes: Partial<SimQuirks>): void {
    this.state.quirks = { ...this.state.quirks, ...changes };
  }

  setImageStatus(imageId: string, status: SimImage['status']): void {
    const image = this.state.images.get(imageId);
    if (!image) throw new Error(`no image ${imageId}`);
    image.status = status;
  }
}
