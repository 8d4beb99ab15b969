import { runningCopies, settleJobs } from './copy-jobs';
import type { AgencySettings, CopyRecord, CopySettings, ImsImageStatus, SimImsImage, SimJob, SimQuirks } from './model';
import type { ImsSimState, NewImsImage } from './state';

export type ImageSnapshot = Omit<SimImsImage, 'tags' | 'members'> & { readonly tags: Readonly<Record<string, string>>; readonly members: readonly string[] };

const snapshot = (image: SimImsImage): ImageSnapshot => ({ ...image, tags: Object.fromEntries(image.tags), members: [...image.members] });

/**
 * The in-process view tests and the demo use to see the tenant as the cloud would: what exists,
 * not what the product believes. Every read settles jobs up to the clock's now first; every
 * change is saved like an API change.
 */
export class ImsInspection {
  constructor(
    private readonly state: ImsSimState,
    private readonly changed: () => void = () => undefined,
  ) {}

  projectId(region: string): string {
    const id = this.state.projectOf(region);
    if (id === undefined) throw new Error(`no region ${region}`);
    return id;
  }

  images(region?: string): ImageSnapshot[] {
    settleJobs(this.state);
    return [...this.state.images.values()].filter((i) => region === undefined || i.region === region).map(snapshot);
  }

  image(imageId: string): ImageSnapshot | undefined {
    settleJobs(this.state);
    const image = this.state.images.get(imageId);
    return image && snapshot(image);
  }

  jobs(): SimJob[] {
    settleJobs(this.state);
    return [...this.state.jobs.values()].map((job) => ({ ...job }));
  }

  job(jobId: string): SimJob | undefined {
    settleJobs(this.state);
    const job = this.state.jobs.get(jobId);
    return job && { ...job };
  }

  runningCopies(): number {
    settleJobs(this.state);
    return runningCopies(this.state);
  }

  /** Every image a copy ever created, deleted ones included. */
  copyRecords(): CopyRecord[] {
    return [...this.state.copyRecords];
  }

  /** How many images copies ever created in a region under a name: more than one means a duplicate copy. */
  copiesCreated(destinationRegion: string, name: string): number {
    return this.state.copyRecords.filter((r) => r.destinationRegion === destinationRegion && r.name === name).length;
  }

  addImage(image: NewImsImage): ImageSnapshot {
    const added = snapshot(this.state.addImage(image));
    this.changed();
    return added;
  }

  setImageStatus(imageId: string, status: ImsImageStatus): void {
    const image = this.state.images.get(imageId);
    if (!image) throw new Error(`no image ${imageId}`);
    image.status = status;
    this.changed();
  }

  /** Somebody starts a cloud server from an image: the image is in use. Answers the server id. */
  launchServer(region: string, imageId: string, name = 'ecs-from-image'): string {
    const server = this.state.addServer(region, imageId, name);
    this.changed();
    return server.id;
  }

  /** The server is deleted: its image is no longer in use by it. */
  deleteServer(serverId: string): void {
    this.state.servers.delete(serverId);
    this.changed();
  }

  /** Somebody creates an AS configuration launching images (system disk, data disks): they are in use. Answers its id. */
  addScalingConfig(region: string, images: { imageRef?: string; dataDiskImageIds?: readonly string[]; groupId?: string }): string {
    const config = this.state.addScalingConfig(region, images);
    this.changed();
    return config.id;
  }

  removeScalingConfig(configId: string): void {
    this.state.scalingConfigs.delete(configId);
    this.changed();
  }

  /** Somebody removed the image outside the product: it is gone at once, not listed as deleted. */
  removeImage(imageId: string): void {
    this.state.images.delete(imageId);
    this.changed();
  }

  /** The next `times` accepted copies end FAIL part-way. */
  failNextCopies(times = 1): void {
    this.state.scriptedFailures += times;
    this.changed();
  }

  /** The next `times` accepted copies never end. */
  stallNextCopies(times = 1): void {
    this.state.scriptedStalls += times;
    this.changed();
  }

  /** A running copy freezes where it is and never ends. */
  stallJob(jobId: string): void {
    settleJobs(this.state);
    const copy = this.state.jobs.get(jobId)?.copy;
    if (!copy) throw new Error(`no copy job ${jobId}`);
    copy.stalledAt = Math.max(copy.startsAt, this.state.nowMs());
    this.changed();
  }

  /** Every stalled copy goes on and ends (at once, if its time is past). */
  resumeStalledCopies(): void {
    settleJobs(this.state);
    for (const job of this.state.jobs.values()) if (job.copy !== undefined) job.copy.stalledAt = undefined;
    this.changed();
  }

  setCopySettings(changes: Partial<CopySettings>): void {
    settleJobs(this.state);
    this.state.copySettings = { ...this.state.copySettings, ...changes };
    this.changed();
  }

  setAgency(agency: AgencySettings): void {
    this.state.agency = agency;
    this.changed();
  }

  setQuirks(changes: Partial<SimQuirks>): void {
    this.state.quirks = { ...this.state.quirks, ...changes };
    this.changed();
  }
}
