import { errorCode, errorMessage, isReplicationError, isRetryable } from '../../core/domain/errors';
import { ALL_IMAGE_STATES, type CloudImage, ImageState, ReplicaTag } from '../../core/domain/image';
import { ProviderId } from '../../core/domain/provider';
import type {
  CancelResult,
  CapacityRule,
  CopyInFlight,
  CopyObservation,
  CopyPlan,
  CopyProvider,
  CopyRequest,
  ImageQuery,
  Replica,
  StartCopyResult,
} from '../../core/ports/copy-provider';
import { RefusalReason } from '../../core/ports/copy-provider';
import type { EcsImages } from './ecs-images';

/**
 * Alibaba Cloud ECS as a copy provider. One CopyImage per copy, with a ClientToken, tags on the
 * copy, progress from DescribeImages. Everything ECS-specific (error codes, limits, statuses) is
 * translated here; the core sees the port's outcomes only.
 */

/** ECS runs at most five copies per source region and refuses a second running copy of one image. */
export const ECS_COPIES_PER_REGION = 5;
/** CopyImage refuses larger images (SizeExceed.Image): those take the snapshot route. */
export const ECS_COPY_IMAGE_MAX_GIB = 2048;
export const ROUTE_COPY_IMAGE = 'copy-image';

/** "Not now": another copy of this source runs. */
const CONFLICT_CODES = new Set(['OperationDenied.ImageCopyConflict', 'OperationDenied.ImageCopying', 'InvalidOperation.Conflict']);
/** The answer was lost, or made no sense: the copy may have started; the same token finds it. */
const UNKNOWN_OUTCOME_CODES = new Set(['NetworkError', 'Timeout', 'EcsUnexpectedResponse', 'EcsUnexpected']);

const regionSlot = (account: string, region: string): string => `alibaba/${account}/region/${region}`;
const imageSlot = (account: string, region: string, imageId: string): string => `alibaba/${account}/image/${region}/${imageId}`;

/** Only copies that carry our tag for this job are ours: a name or an id alone proves nothing. */
const isOurs = (image: CloudImage, jobId: string): boolean => image.tags[ReplicaTag.Job] === jobId;

const rank = (image: CloudImage): number => [ImageState.Available, ImageState.Pending, ImageState.Unavailable, ImageState.Failed].indexOf(image.state);

export interface AlibabaCopyProviderOptions {
  readonly account: string;
  readonly images: EcsImages;
}

export class AlibabaEcsCopyProvider implements CopyProvider {
  readonly provider = ProviderId.Alibaba;
  readonly capacity: CapacityRule;
  readonly #images: EcsImages;

  constructor(options: AlibabaCopyProviderOptions) {
    const { account } = options;
    this.#images = options.images;
    this.capacity = {
      slotsFor: (copy) => [
        { key: regionSlot(account, copy.sourceRegion), limit: ECS_COPIES_PER_REGION },
        { key: imageSlot(account, copy.sourceRegion, copy.sourceImageId), limit: 1 },
      ],
    };
    this.#account = account;
  }

  readonly #account: string;

  listImages(region: string, query: ImageQuery): Promise<CloudImage[]> {
    return this.#images.listImages(region, query);
  }

  planCopy(request: Pick<CopyRequest, 'source' | 'destination'>): CopyPlan {
    if (request.source.region === request.destination.region) {
      return { kind: 'refused', code: 'SameRegion', message: 'the destination is the source region' };
    }
    if ((request.source.sizeGiB ?? 0) > ECS_COPY_IMAGE_MAX_GIB) {
      return {
        kind: 'refused',
        code: 'SizeExceed.Image',
        message: `the image is ${request.source.sizeGiB} GiB; CopyImage takes at most ${ECS_COPY_IMAGE_MAX_GIB} GiB`,
      };
    }
    return { kind: 'copy', route: ROUTE_COPY_IMAGE };
  }

  async startCopy(request: CopyRequest): Promise<StartCopyResult> {
    // What the plan refuses is known before any call: it never reaches ECS, whoever calls startCopy.
    const plan = this.planCopy(request);
    if (plan.kind === 'refused') return { kind: 'refused', reason: RefusalReason.Invalid, code: plan.code, message: plan.message };
    try {
      const { imageId } = await this.#images.copyImage({
        sourceRegion: request.source.region,
        sourceImageId: request.source.imageId,
        destinationRegion: request.destination.region,
        name: request.destination.name,
        description: request.destination.description,
        encrypted: request.destination.encrypted,
        kmsKeyId: request.destination.kmsKeyId,
        tags: request.destination.tags,
        idempotencyToken: request.idempotencyToken,
      });
      return { kind: 'started', handle: imageId, imageId, adopted: false };
    } catch (error) {
      return this.#refusal(request, error);
    }
  }

  async #refusal(request: CopyRequest, error: unknown): Promise<StartCopyResult> {
    const code = errorCode(error);
    const message = errorMessage(error);
    if (code === 'InvalidImageName.Duplicated') return this.#nameTaken(request, code, message);
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
      await this.deleteCopy({ handle: found.handle, destinationRegion: request.destination.region });
      return { kind: 'refused', reason: RefusalReason.Busy, code: 'LeftoverRemoved', message: 'a failed copy of this job held the name; it was deleted and the copy is tried again', busySlots: [] };
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
   * gone; one region that cannot be read leaves only its copies unobserved.
   */
  async observeCopies(copies: readonly CopyInFlight[]): Promise<ReadonlyMap<string, CopyObservation>> {
    const answers = new Map<string, CopyObservation>();
    const byRegion = new Map<string, CopyInFlight[]>();
    for (const copy of copies) byRegion.set(copy.destinationRegion, [...(byRegion.get(copy.destinationRegion) ?? []), copy]);
    for (const [region, group] of byRegion) {
      const since = Math.min(...group.map((copy) => copy.startedAt.getTime()));
      let listed: Map<string, CloudImage>;
      try {
        const images = await this.#images.listImages(region, { states: ALL_IMAGE_STATES, ownedBySelf: true, createdSince: new Date(since - 120_000) });
        listed = new Map(images.map((image) => [image.id, image]));
      } catch (error) {
        for (const copy of group) answers.set(copy.jobId, unobserved(error));
        continue;
      }
      for (const copy of group) {
        try {
          let image = listed.get(copy.handle);
          if (image === undefined) [image] = await this.#images.listImages(region, { imageId: copy.handle, states: ALL_IMAGE_STATES, ownedBySelf: true });
          answers.set(copy.jobId, observation(image !== undefined && isOurs(image, copy.jobId) ? image : undefined));
        } catch (error) {
          answers.set(copy.jobId, unobserved(error));
        }
      }
    }
    return answers;
  }

  async cancelCopy(copy: CopyInFlight): Promise<CancelResult> {
    try {
      await this.#images.cancelCopy(copy.destinationRegion, copy.handle);
      return { kind: 'cancelled' };
    } catch (error) {
      const code = errorCode(error);
      if (code === 'IncorrectImageStatus') return { kind: 'too-late' };
      if (code === 'InvalidImageId.NotFound') return { kind: 'not-found' };
      if (isReplicationError(error) && !error.retryable) return { kind: 'unsupported' };
      throw error;
    }
  }

  async deleteCopy(copy: Pick<CopyInFlight, 'handle' | 'destinationRegion'>): Promise<void> {
    if (copy.handle === '') return;
    await this.#images.deleteImage(copy.destinationRegion, copy.handle);
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
