import { COPY_PARTLY_DELETED, errorCode, errorMessage, isReplicationError, isRetryable } from '../../core/domain/errors';
import { printableShort } from '../../core/domain/region';
import { ALL_IMAGE_STATES, type CloudImage, ImageState, ReplicaTag } from '../../core/domain/image';
import { ProviderId } from '../../core/domain/provider';
import type {
  CancelResult,
  CapacityRule,
  CopyDeleted,
  CopyHandle,
  CopyInFlight,
  CopyObservation,
  CopyPlan,
  CopyProvider,
  CopyRequest,
  ImageQuery,
  ImageRef,
  ImageUse,
  Replica,
  ShareResult,
  StartCopyResult,
} from '../../core/ports/copy-provider';
import { NOTHING_LEFT, RefusalReason } from '../../core/ports/copy-provider';
import type { EcsExtras } from './ecs-extras';
import type { EcsImages } from './ecs-images';
import { deleteSnapshots } from './delete-snapshots';
import { deletionHandle, parseHandle, ROUTE_COPY_IMAGE, ROUTE_SNAPSHOTS } from './handle';
import { advanceSnapshotRoute, deleteSnapshotRoute, startSnapshotRoute } from './snapshot-route';

/**
 * Alibaba Cloud ECS as a copy provider. Images up to 2 TiB take one CopyImage (ClientToken, tags on
 * the copy, progress from DescribeImages); larger ones take the snapshot route. Everything
 * ECS-specific (error codes, limits, statuses) is translated here; the core sees the port only.
 */

/** ECS runs at most five copies per source region and refuses a second running copy of one image. */
export const ECS_COPIES_PER_REGION = 5;
/** CopyImage refuses larger images (SizeExceed.Image): those take the snapshot route. */
export const ECS_COPY_IMAGE_MAX_GIB = 2048;
/** An ECS resource carries at most 20 tags. */
export const ECS_MAX_TAGS = 20;
export { ROUTE_COPY_IMAGE, ROUTE_SNAPSHOTS };

/** "Not now": another copy of this source runs. */
const CONFLICT_CODES = new Set(['OperationDenied.ImageCopyConflict', 'OperationDenied.ImageCopying', 'InvalidOperation.Conflict']);
/** The answer was lost, or made no sense: the copy may have started; the same token finds it. */
const UNKNOWN_OUTCOME_CODES = new Set(['NetworkError', 'Timeout', 'EcsUnexpectedResponse', 'EcsUnexpected']);

const regionSlot = (account: string, region: string): string => `alibaba/${account}/region/${region}`;
const imageSlot = (account: string, region: string, imageId: string): string => `alibaba/${account}/image/${region}/${imageId}`;

/** Only copies that carry our tag for this job are ours: a name or an id alone proves nothing. */
const isOurs = (image: CloudImage, jobId: string): boolean => image.tags[ReplicaTag.Job] === jobId;

const rank = (image: CloudImage): number => [ImageState.Available, ImageState.Pending, ImageState.Unavailable, ImageState.Failed].indexOf(image.state);

/** The policy's and our tags, then as many of the source's own as the limit leaves room for. */
const tagsFor = (request: CopyRequest): Record<string, string> => {
  const tags: Record<string, string> = { ...request.destination.tags };
  for (const [key, value] of Object.entries(request.destination.copiedTags ?? {})) {
    if (Object.keys(tags).length >= ECS_MAX_TAGS) break;
    if (!(key in tags) && !/^(aliyun|acs:)/i.test(key)) tags[key] = value;
  }
  return tags;
};

export interface AlibabaCopyProviderOptions {
  readonly account: string;
  readonly images: EcsImages;
  /** The calls beyond CopyImage: the snapshot route, sharing, attributes, the in-use check. */
  readonly extras: EcsExtras;
}

export class AlibabaEcsCopyProvider implements CopyProvider {
  readonly provider = ProviderId.Alibaba;
  /** DescribeImages answers for up to 100 image ids of a region in one call. */
  readonly observesWholeRegions = true;
  /** One running copy per source image: every replica is one more copy that can run (relay fan-out). */
  readonly copiesFromReplicas = true;
  readonly capacity: CapacityRule;
  readonly #images: EcsImages;
  readonly #extras: EcsExtras;
  readonly #account: string;

  constructor(options: AlibabaCopyProviderOptions) {
    const { account } = options;
    this.#images = options.images;
    this.#extras = options.extras;
    this.#account = account;
    this.capacity = {
      slotsFor: (copy) => [
        { key: regionSlot(account, copy.sourceRegion), limit: ECS_COPIES_PER_REGION },
        { key: imageSlot(account, copy.sourceRegion, copy.sourceImageId), limit: 1 },
      ],
    };
  }

  listImages(region: string, query: ImageQuery): Promise<CloudImage[]> {
    return this.#images.listImages(region, query);
  }

  planCopy(request: Pick<CopyRequest, 'source' | 'destination'>): CopyPlan {
    if (request.source.region === request.destination.region) {
      return { kind: 'refused', code: 'SameRegion', message: 'the destination is the source region' };
    }
    return { kind: 'copy', route: (request.source.sizeGiB ?? 0) > ECS_COPY_IMAGE_MAX_GIB ? ROUTE_SNAPSHOTS : ROUTE_COPY_IMAGE };
  }

  async startCopy(request: CopyRequest): Promise<StartCopyResult> {
    // What the plan refuses is known before any call: it never reaches ECS, whoever calls startCopy.
    const plan = this.planCopy(request);
    if (plan.kind === 'refused') return { kind: 'refused', reason: RefusalReason.Invalid, code: plan.code, message: plan.message };
    if (plan.route === ROUTE_SNAPSHOTS) {
      try {
        return await startSnapshotRoute(this.#extras, request, (error) => this.#classify(request, error));
      } catch (error) {
        return this.#classify(request, error);
      }
    }
    try {
      const { imageId } = await this.#images.copyImage({
        sourceRegion: request.source.region,
        sourceImageId: request.source.imageId,
        destinationRegion: request.destination.region,
        name: request.destination.name,
        description: request.destination.description,
        encrypted: request.destination.encrypted,
        kmsKeyId: request.destination.kmsKeyId,
        tags: tagsFor(request),
        idempotencyToken: request.idempotencyToken,
      });
      return { kind: 'started', handle: imageId, imageId, adopted: false };
    } catch (error) {
      const code = errorCode(error);
      // Found too large only now (the source's size was not known when the job was planned).
      if (code === 'SizeExceed.Image') return startSnapshotRoute(this.#extras, request, (e) => this.#classify(request, e)).catch((e: unknown) => this.#classify(request, e));
      if (code === 'InvalidImageName.Duplicated') return this.#nameTaken(request, code, errorMessage(error));
      return this.#classify(request, error);
    }
  }

  #classify(request: CopyRequest, error: unknown): StartCopyResult {
    const code = errorCode(error);
    const message = errorMessage(error);
    if (CONFLICT_CODES.has(code)) {
      return { kind: 'refused', reason: RefusalReason.Busy, code, message, busySlots: [imageSlot(this.#account, request.source.region, request.source.imageId)] };
    }
    if (code.startsWith('Throttling')) return { kind: 'refused', reason: RefusalReason.Throttled, code, message };
    if (code.startsWith('QuotaExceed')) return { kind: 'refused', reason: RefusalReason.Quota, code, message };
    if (code === 'InvalidImageId.NotFound') return { kind: 'source-missing', code, message };
    if (UNKNOWN_OUTCOME_CODES.has(code) || isRetryable(error)) return { kind: 'unknown', code, message };
    return { kind: 'refused', reason: RefusalReason.Invalid, code, message };
  }

  /**
   * The name is taken: a re-run after a lost answer, or a copy made before our table existed. It
   * is adopted only if its job tag says it is this job's; our own failed leftover is deleted so
   * the retry can use the name; anybody else's image with that name is a real conflict.
   */
  async #nameTaken(request: CopyRequest, code: string, message: string): Promise<StartCopyResult> {
    const found = await this.findCopy(request);
    if (found !== undefined && found.state !== ImageState.Failed && found.state !== ImageState.Unavailable) {
      return { kind: 'started', handle: found.handle, imageId: found.imageId, adopted: true };
    }
    if (found !== undefined) {
      // What ECS kept of the leftover, or could not delete once its image went, is still billed:
      // said in the refusal, which the job records and the log shows. The name is free either way.
      let kept: string;
      try {
        const { leftBehind } = await this.deleteCopy({ handle: found.handle, destinationRegion: request.destination.region });
        kept = leftBehind.length === 0 ? '' : `; ECS kept ${leftBehind.map((part) => part.id).join(', ')} (${leftBehind[0]?.why ?? ''})`;
      } catch (error) {
        if (errorCode(error) !== COPY_PARTLY_DELETED) throw error;
        kept = `; ${errorMessage(error)}`;
      }
      const message = printableShort(`a failed copy of this job held the name; it was deleted and the copy is tried again${kept}`, 500);
      return { kind: 'refused', reason: RefusalReason.Busy, code: 'LeftoverRemoved', message, busySlots: [] };
    }
    return {
      kind: 'refused',
      reason: RefusalReason.Invalid,
      code,
      message: `${message} (an image that is not this job's has the name ${request.destination.name} in ${request.destination.region})`,
    };
  }

  async findCopy(request: CopyRequest): Promise<{ handle: string; imageId: string; state: ImageState } | undefined> {
    const found = await this.#images.listImages(request.destination.region, {
      tags: { [ReplicaTag.Job]: request.jobId },
      states: ALL_IMAGE_STATES,
      ownedBySelf: true,
    });
    const [best] = found.filter((image) => isOurs(image, request.jobId)).sort((a, b) => rank(a) - rank(b));
    return best === undefined ? undefined : { handle: best.id, imageId: best.id, state: best.state };
  }

  /**
   * One paginated DescribeImages per destination region, of the images created since the oldest
   * copy there started (no tag filter: tag filters match at most 1,000 resources, and our tag is on
   * every copy ever made). A copy missing from the listing is asked for by id before it is called
   * gone; one region that cannot be read leaves only its copies unobserved. A copy still on its
   * snapshots is looked at through them.
   */
  async observeCopies(copies: readonly CopyInFlight[]): Promise<ReadonlyMap<string, CopyObservation>> {
    const answers = new Map<string, CopyObservation>();
    const images: { copy: CopyInFlight; imageId: string; handle?: string }[] = [];
    for (const copy of copies) {
      const handle = parseHandle(copy.handle);
      if (handle === undefined) answers.set(copy.jobId, { state: 'missing' });
      else if (handle.route === ROUTE_COPY_IMAGE) images.push({ copy, imageId: handle.imageId });
      else if (handle.snapshot.i !== undefined) images.push({ copy, imageId: handle.snapshot.i, handle: copy.handle });
      else {
        try {
          answers.set(copy.jobId, await advanceSnapshotRoute(this.#extras, copy, handle.snapshot, { name: copy.destinationName }));
        } catch (error) {
          answers.set(copy.jobId, unobserved(error));
        }
      }
    }
    const byRegion = new Map<string, typeof images>();
    for (const entry of images) byRegion.set(entry.copy.destinationRegion, [...(byRegion.get(entry.copy.destinationRegion) ?? []), entry]);
    for (const [region, group] of byRegion) {
      const since = Math.min(...group.map((entry) => entry.copy.startedAt.getTime()));
      let listed: Map<string, CloudImage>;
      try {
        const found = await this.#images.listImages(region, { states: ALL_IMAGE_STATES, ownedBySelf: true, createdSince: new Date(since - 120_000) });
        listed = new Map(found.map((image) => [image.id, image]));
      } catch (error) {
        for (const entry of group) answers.set(entry.copy.jobId, unobserved(error));
        continue;
      }
      for (const entry of group) {
        try {
          let image = listed.get(entry.imageId);
          if (image === undefined) [image] = await this.#images.listImages(region, { imageId: entry.imageId, states: ALL_IMAGE_STATES, ownedBySelf: true });
          const ours = image !== undefined && isOurs(image, entry.copy.jobId) ? image : undefined;
          answers.set(entry.copy.jobId, await this.#finish(entry.copy, observation(ours), ours));
        } catch (error) {
          answers.set(entry.copy.jobId, unobserved(error));
        }
      }
    }
    return answers;
  }

  /** A copy that became available joins its family here when CopyImage could not give it one. */
  async #finish(copy: CopyInFlight, seen: CopyObservation, image: CloudImage | undefined): Promise<CopyObservation> {
    if (seen.state !== 'available' || copy.family === undefined || image === undefined || image.family === copy.family) return seen;
    await this.#extras.modifyImage(copy.destinationRegion, image.id, { family: copy.family });
    return seen;
  }

  async cancelCopy(copy: CopyInFlight): Promise<CancelResult> {
    const handle = parseHandle(copy.handle);
    if (handle === undefined) return { kind: 'not-found' };
    if (handle.route === ROUTE_SNAPSHOTS) {
      // Deleting a snapshot being copied cancels its copy; the image, if any, goes first.
      const { leftBehind } = await this.deleteCopy(copy);
      return { kind: 'cancelled', leftBehind };
    }
    try {
      await this.#images.cancelCopy(copy.destinationRegion, handle.imageId);
      return { kind: 'cancelled' };
    } catch (error) {
      const code = errorCode(error);
      if (code === 'IncorrectImageStatus') return { kind: 'too-late' };
      if (code === 'InvalidImageId.NotFound') return { kind: 'not-found' };
      if (isReplicationError(error) && !error.retryable) return { kind: 'unsupported' };
      throw error;
    }
  }

  /**
   * Removes a copy and what it holds. DeleteImage leaves the image's snapshots behind, billed, and
   * a snapshot cannot go while an image uses it: the image first, then its snapshots.
   */
  async deleteCopy(copy: Pick<CopyInFlight, 'handle' | 'destinationRegion'>): Promise<CopyDeleted> {
    const handle = parseHandle(copy.handle);
    if (handle === undefined) return NOTHING_LEFT;
    if (handle.route === ROUTE_SNAPSHOTS) {
      const leftBehind = await deleteSnapshotRoute(this.#extras, copy.destinationRegion, handle.snapshot, (region, id) => this.#images.deleteImage(region, id));
      return { leftBehind };
    }
    // Named in the handle when the deletion began (they outlive a DeleteImage whose answer was
    // lost), else read from the image now.
    const snapshots = handle.snapshots ?? (await this.#snapshotsOf(copy.destinationRegion, handle.imageId));
    await this.#images.deleteImage(copy.destinationRegion, handle.imageId);
    return { leftBehind: await deleteSnapshots(this.#extras, copy.destinationRegion, snapshots) };
  }

  /** A one-step copy's handle that still names its snapshots once the image is gone; a snapshot-route handle names them already. */
  async deletionHandle(copy: Pick<CopyInFlight, 'handle' | 'destinationRegion'>): Promise<CopyHandle> {
    const handle = parseHandle(copy.handle);
    if (handle?.route !== ROUTE_COPY_IMAGE) return copy.handle;
    const snapshots = new Set([...(handle.snapshots ?? []), ...(await this.#snapshotsOf(copy.destinationRegion, handle.imageId))]);
    return snapshots.size === 0 ? copy.handle : deletionHandle(handle.imageId, [...snapshots]);
  }

  async #snapshotsOf(region: string, imageId: string): Promise<string[]> {
    const image = await this.#extras.describeImage(region, imageId);
    return (image?.DiskDeviceMappings?.DiskDeviceMapping ?? []).map((d) => d.SnapshotId).filter((id): id is string => id !== undefined && id !== '');
  }

  async listReplicas(region: string): Promise<Replica[]> {
    const images = await this.#images.listImages(region, {
      tags: { [ReplicaTag.Managed]: 'true' },
      states: [ImageState.Available, ImageState.Pending],
      ownedBySelf: true,
    });
    return images.map((image) => ({
      imageId: image.id,
      region,
      state: image.state,
      sourceRegion: image.tags[ReplicaTag.SourceRegion],
      sourceImageId: image.tags[ReplicaTag.SourceImage],
      jobId: image.tags[ReplicaTag.Job],
      handle: image.id,
      sizeGiB: image.sizeGiB,
      createdAt: image.createdAt,
      tags: image.tags,
    }));
  }

  async shareImage(image: ImageRef, accounts: readonly string[]): Promise<ShareResult> {
    try {
      const current = new Set(await this.#extras.sharedWith(image.region, image.imageId));
      const missing = accounts.filter((account) => !current.has(account));
      if (missing.length > 0) await this.#extras.modifySharing(image.region, image.imageId, { add: missing });
      return { kind: 'shared', accounts: [...new Set([...current, ...accounts])].filter((a) => accounts.includes(a)) };
    } catch (error) {
      const code = errorCode(error);
      if (isRetryable(error)) throw error;
      return { kind: 'refused', reason: code.startsWith('QuotaExceed') ? RefusalReason.Quota : RefusalReason.Invalid, code, message: errorMessage(error) };
    }
  }

  async unshareImage(image: ImageRef, accounts: readonly string[] | 'all'): Promise<void> {
    try {
      const remove = accounts === 'all' ? await this.#extras.sharedWith(image.region, image.imageId) : [...accounts];
      if (remove.length > 0) await this.#extras.modifySharing(image.region, image.imageId, { remove });
    } catch (error) {
      // ECS says the image is gone (an earlier deletion whose answer was lost): nobody has it.
      if (isReplicationError(error) && error.code === 'InvalidImageId.NotFound') return;
      throw error;
    }
  }

  imageInUse(image: ImageRef): Promise<ImageUse> {
    return this.#extras.imageUse(image.region, image.imageId);
  }

  async deprecateImage(image: ImageRef): Promise<void> {
    await this.#extras.modifyImage(image.region, image.imageId, { status: 'Deprecated' });
  }
}

const unobserved = (error: unknown): CopyObservation => ({ state: 'unobserved', retryable: isRetryable(error), code: errorCode(error), message: errorMessage(error) });

const observation = (image: CloudImage | undefined): CopyObservation => {
  if (image === undefined) return { state: 'missing' };
  switch (image.state) {
    case ImageState.Pending:
      return { state: 'running', progressPercent: image.progressPercent };
    case ImageState.Available:
      return { state: 'available', imageId: image.id };
    case ImageState.Failed:
      return { state: 'failed', leftover: true, code: 'CopyFailed', message: 'ECS reported the copy as CreateFailed' };
    case ImageState.Unavailable:
      return { state: 'failed', leftover: true, code: 'CopyUnavailable', message: 'the copy exists but is not usable' };
  }
};
