import type { Clock } from '../../core/domain/clock';
import { ConfigError, errorCode, errorMessage, isRetryable, RetryableError, TerminalError } from '../../core/domain/errors';
import { type CloudImage, ImageState, ReplicaTag } from '../../core/domain/image';
import { quoteShort } from '../../core/domain/region';
import type { CopyDeleted, ImageRef, ImageUse, ShareResult } from '../../core/ports/copy-provider';
import {
  NOTHING_LEFT,
  type CancelResult,
  type CapacityRule,
  type CopyHandle,
  type CopyInFlight,
  type CopyObservation,
  type CopyPlan,
  type CopyProvider,
  type CopyRequest,
  type ImageQuery,
  ImageUseState,
  ProviderId,
  RefusalReason,
  type Replica,
  type StartCopyResult,
} from '../../core/ports/copy-provider';
import { type AccessKeyCredentials, secretValuesOf } from '../../core/ports/credentials';
import { ImageType, ImsClient, type ImsRetrySettings, type ImsTarget, type ListImagesFilter } from './client';
import { isMarkableJobId, markedDescription } from './copy-identity';
import { findJobCopies, isLive } from './copy-lookup';
import { cleanText, isNotFound } from './errors';
import { type HuaweiCopyHandle, decodeHandle, encodeHandle } from './handle';
import { ImsImageStatus, stateOfStatus, statusesOfState, toCloudImage } from './image-mapping';
import { type ObserveContext, observeCopy } from './observe';
import { copyOptionsOf, planHuaweiCopy } from './plan';
import { IMS_REGION_IDS, REGION_ID_PATTERN } from './regions';
import { JobStatus, PROJECT_ID_PATTERN } from './schemas';
import { startFailure } from './start-outcome';
import { huaweiTagKey, tagProblem } from './tags';

/** At most five cross-region copies run at once per tenant (IMS API reference; IMG.0149 beyond). */
export const HUAWEI_TENANT_COPY_LIMIT = 5;
/** IMS's answer when an image has as many member projects as it may (128 for a system-disk image). */
const SHARE_QUOTA_CODE = 'IMG.0088';

/** Copies observed at once: enough to overlap latency, few enough to stay under API flow control. */
const OBSERVE_CONCURRENCY = 4;

export interface HuaweiImsCopyProviderOptions {
  /** The account name of the configuration: the capacity key, so two accounts never share slots. */
  readonly account: string;
  readonly credentials: AccessKeyCredentials;
  /** Default `https://ims.{region}.myhuaweicloud.com`; `http://127.0.0.1:<port>/{region}` for the simulator. */
  readonly endpointTemplate?: string | undefined;
  /** Where ECS answers which servers run from an image (ImsClientOptions.ecsEndpointTemplate). */
  readonly ecsEndpointTemplate?: string | undefined;
  /** Where Auto Scaling answers which configurations launch an image (ImsClientOptions.asEndpointTemplate). */
  readonly asEndpointTemplate?: string | undefined;
  /** The project id of every region we touch: IMS paths and X-Project-Id carry it. */
  readonly projectIds: Readonly<Record<string, string>>;
  /** The IAM agency used when a request's options name none. */
  readonly agencyName?: string | undefined;
  /** Regions accepted besides the SDK's list (a new region before our list knows it). */
  readonly extraRegions?: readonly string[] | undefined;
  readonly fetch?: typeof fetch | undefined;
  /** Dates signatures. */
  readonly clock?: Clock | undefined;
  readonly timeouts?: { readonly requestMs?: number | undefined } | undefined;
  /** The client's quick retries of one request (throttling, 5xx on reads); tests inject the pause. */
  readonly retry?: Partial<ImsRetrySettings> | undefined;
}

/**
 * The copy lifecycle on Huawei Cloud IMS: one cross_region_copy job per copy, polled in the
 * source region; the copy is made exactly once by looking for it (name + job marker) before
 * submitting, because IMS takes no idempotency token; tags are added when the job succeeds,
 * because a cross-region copy carries none.
 */
export class HuaweiImsCopyProvider implements CopyProvider {
  /** IMS lists a share in the recipient's project as pending until the recipient accepts it. */
  readonly sharesAwaitAcceptance = true;
  readonly provider = ProviderId.Huawei;
  readonly capacity: CapacityRule;
  readonly #client: ImsClient;
  readonly #projectIds: ReadonlyMap<string, string>;
  readonly #regions: ReadonlySet<string>;
  readonly #agencyName: string | undefined;
  readonly #observe: ObserveContext;

  constructor(options: HuaweiImsCopyProviderOptions) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(options.account)) throw new ConfigError('the Huawei account name must be 1–64 letters, digits, ".", "_" or "-"');
    for (const [region, projectId] of Object.entries(options.projectIds)) {
      if (!REGION_ID_PATTERN.test(region)) throw new ConfigError(`projectIds: ${JSON.stringify(region.slice(0, 40))} is not a Huawei region id`);
      if (!PROJECT_ID_PATTERN.test(projectId)) throw new ConfigError(`projectIds: the project id of ${region} must be 32 hexadecimal characters`);
    }
    for (const region of options.extraRegions ?? []) {
      if (!REGION_ID_PATTERN.test(region)) throw new ConfigError(`extraRegions: ${JSON.stringify(region.slice(0, 40))} is not a Huawei region id`);
    }
    this.#projectIds = new Map(Object.entries(options.projectIds));
    this.#regions = new Set([...IMS_REGION_IDS, ...(options.extraRegions ?? [])]);
    this.#agencyName = options.agencyName;
    this.#client = new ImsClient({
      credentials: options.credentials,
      endpointTemplate: options.endpointTemplate,
      ecsEndpointTemplate: options.ecsEndpointTemplate,
      asEndpointTemplate: options.asEndpointTemplate,
      fetch: options.fetch,
      clock: options.clock,
      timeoutMs: options.timeouts?.requestMs,
      retry: options.retry,
    });
    this.#observe = { client: this.#client, target: (region) => this.#target(region), secrets: secretValuesOf(options.credentials) };
    const slot = { key: `huawei/${options.account}/tenant`, limit: HUAWEI_TENANT_COPY_LIMIT };
    this.capacity = { slotsFor: () => [slot] };
  }

  async listImages(region: string, query: ImageQuery): Promise<CloudImage[]> {
    if (query.states.length === 0) return [];
    const target = this.#target(region);
    const statuses = [...new Set(query.states.flatMap(statusesOfState))];
    const wanted = new Set<ImageState>(query.states);
    const tags = Object.entries(query.tags ?? {});
    const firstTag = tags[0];
    // IMS filters one status and one tag per call; the rest is filtered here.
    const filter: ListImagesFilter = {
      imageType: ImageType.Private,
      id: query.imageId,
      owner: query.ownedBySelf === true ? target.projectId : undefined,
      createdSince: query.createdSince,
      status: statuses.length === 1 && !wanted.has(ImageState.Unavailable) ? statuses[0] : undefined,
      tag: firstTag === undefined ? undefined : { key: huaweiTagKey(firstTag[0]), value: firstTag[1] },
    };
    const images = await this.#client.listImages(target, filter);
    return images
      .map((image) => toCloudImage(region, image))
      .filter((image): image is CloudImage => image !== undefined && wanted.has(image.state))
      .filter((image) => tags.every(([key, value]) => image.tags[key] === value));
  }

  planCopy(request: Pick<CopyRequest, 'source' | 'destination'> & { readonly sourceImage?: CloudImage | undefined }): CopyPlan {
    return planHuaweiCopy(request, { regionProblem: (region) => this.#regionProblem(region), defaultAgencyName: this.#agencyName });
  }

  async startCopy(request: CopyRequest): Promise<StartCopyResult> {
    const plan = this.planCopy(request);
    if (plan.kind === 'refused') return { kind: 'refused', reason: RefusalReason.Invalid, code: plan.code, message: plan.message };
    if (!isMarkableJobId(request.jobId) || tagProblem({ [ReplicaTag.Job]: request.jobId }) !== undefined) {
      return { kind: 'refused', reason: RefusalReason.Invalid, code: 'HuaweiInvalidJobId', message: 'the job id cannot be recorded on an IMS image (description marker, tag value)' };
    }
    const { source, destination } = request;
    const handle: HuaweiCopyHandle = { sourceRegion: source.region, destinationRegion: destination.region, name: destination.name, jobId: request.jobId };

    // Exactly once without a token: a copy of this job already in the destination is adopted, never made again.
    const target = this.#target(destination.region);
    const copies = await findJobCopies(this.#client, target, destination.name, request.jobId);
    const existing = copies.find(isLive);
    if (existing !== undefined) {
      return { kind: 'started', handle: encodeHandle({ ...handle, imageId: existing.id }), imageId: existing.id, adopted: true };
    }
    // Only failed copies of this job (one whose submit answer was lost, then failed): nobody else
    // knows of them, so they are deleted here, before another is made, or they stay for good.
    for (const failed of copies.filter((copy) => copy.status === ImsImageStatus.Killed)) {
      await this.#client.deleteImage(target, failed.id);
    }

    const { agencyName = '', projectName } = copyOptionsOf(destination, this.#agencyName);
    try {
      const imsJobId = await this.#client.crossRegionCopy(this.#target(source.region), source.imageId, {
        name: destination.name,
        description: markedDescription(destination.description, request.jobId),
        region: destination.region,
        project_name: projectName,
        agency_name: agencyName,
      });
      return { kind: 'started', handle: encodeHandle({ ...handle, imsJobId }), adopted: false };
    } catch (error) {
      return startFailure(error, agencyName);
    }
  }

  async observeCopies(copies: readonly CopyInFlight[]): Promise<ReadonlyMap<string, CopyObservation>> {
    const out = new Map<string, CopyObservation>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < copies.length) {
        const copy = copies[next];
        next += 1;
        if (copy !== undefined) out.set(copy.jobId, await observeCopy(this.#observe, copy));
      }
    };
    await Promise.all(Array.from({ length: Math.min(OBSERVE_CONCURRENCY, copies.length) }, worker));
    return out;
  }

  async findCopy(request: CopyRequest): Promise<{ readonly handle: CopyHandle; readonly imageId?: string | undefined; readonly state: ImageState } | undefined> {
    const { source, destination } = request;
    const [best] = await findJobCopies(this.#client, this.#target(destination.region), destination.name, request.jobId);
    const state = best === undefined ? undefined : stateOfStatus(best.status);
    if (best === undefined || state === undefined) return undefined;
    const handle = encodeHandle({ sourceRegion: source.region, destinationRegion: destination.region, imageId: best.id, name: destination.name, jobId: request.jobId });
    return { handle, imageId: best.id, state };
  }

  /** IMS cannot stop a cross-region copy job; we can only say whether it has already ended. */
  async cancelCopy(copy: CopyInFlight): Promise<CancelResult> {
    const handle = decodeHandle(copy.handle);
    if (handle?.imsJobId !== undefined) {
      const job = await this.#client.showJob(this.#target(handle.sourceRegion), handle.imsJobId);
      if (job !== undefined) return job.status === JobStatus.Success || job.status === JobStatus.Fail ? { kind: 'too-late' } : { kind: 'unsupported' };
    }
    const [best] = await findJobCopies(this.#client, this.#target(copy.destinationRegion), handle?.name ?? copy.destinationName, copy.jobId);
    if (best === undefined) return { kind: 'not-found' };
    return isLive(best) && best.status !== ImsImageStatus.Active ? { kind: 'unsupported' } : { kind: 'too-late' };
  }

  /**
   * IMS deletes a disk image whole: nothing of a copy is left once it goes. (A full-ECS image would
   * leave its backup unless asked; IMS does not copy those across regions without a vault.)
   */
  async deleteCopy(copy: Pick<CopyInFlight, 'handle' | 'destinationRegion'>): Promise<CopyDeleted> {
    const handle = decodeHandle(copy.handle);
    if (handle === undefined) throw new TerminalError('HuaweiBadHandle', `not a Huawei copy handle; nothing deleted in ${copy.destinationRegion}`);
    const destination = this.#target(copy.destinationRegion);
    let imageId = handle.imageId;
    let jobRunning = false;
    if (imageId === undefined && handle.imsJobId !== undefined) {
      const job = await this.#client.showJob(this.#target(handle.sourceRegion), handle.imsJobId);
      imageId = job?.entities?.image_id ?? undefined;
      jobRunning = job?.status === JobStatus.Init || job?.status === JobStatus.Running;
    }
    if (imageId === undefined && handle.name !== undefined && handle.jobId !== undefined) {
      imageId = (await findJobCopies(this.#client, destination, handle.name, handle.jobId))[0]?.id;
    }
    if (imageId === undefined) {
      // A job still running may yet make its image: come back rather than leave it behind.
      if (jobRunning) throw new RetryableError('HuaweiCopyStillRunning', `the IMS copy job ${handle.imsJobId ?? ''} has not made its image yet; delete it later`);
      return NOTHING_LEFT;
    }
    await this.#client.deleteImage(destination, imageId);
    return NOTHING_LEFT;
  }

  async listReplicas(region: string): Promise<Replica[]> {
    const target = this.#target(region);
    const images = await this.#client.listImages(target, {
      imageType: ImageType.Private,
      owner: target.projectId,
      tag: { key: huaweiTagKey(ReplicaTag.Managed), value: 'true' },
    });
    return images.flatMap((raw) => {
      const image = toCloudImage(region, raw);
      if (image === undefined) return [];
      const sourceRegion = image.tags[ReplicaTag.SourceRegion];
      const jobId = image.tags[ReplicaTag.Job];
      const handle = encodeHandle({
        sourceRegion: sourceRegion !== undefined && REGION_ID_PATTERN.test(sourceRegion) ? sourceRegion : region,
        destinationRegion: region,
        imageId: image.id,
        name: image.name,
        jobId: jobId !== undefined && isMarkableJobId(jobId) ? jobId : undefined,
      });
      return [{
        imageId: image.id,
        region,
        state: image.state,
        sourceRegion,
        sourceImageId: image.tags[ReplicaTag.SourceImage],
        jobId,
        handle,
        sizeGiB: image.sizeGiB,
        createdAt: image.createdAt,
        tags: image.tags,
      }];
    });
  }

  /**
   * Shares the image with projects (IMS members, same region), idempotently: the members already
   * there are read first and only the missing ones added. Adding is a job: once it is seen to
   * succeed, or the members are listed, the image is shared; until then a retryable error brings
   * the next poll back. Each recipient accepts the share in its own project (IMS lists it
   * there as pending until then): that is theirs to do, with their keys.
   */
  async shareImage(image: ImageRef, projects: readonly string[]): Promise<ShareResult> {
    const target = this.#target(image.region);
    try {
      const members = new Set(await this.#client.imageMembers(target, image.imageId));
      const missing = projects.filter((project) => !members.has(project));
      if (missing.length === 0) return { kind: 'shared', accounts: [...projects] };
      const jobId = await this.#client.addMembers(target, { images: [image.imageId], projects: missing });
      const job = await this.#client.showJob(target, jobId);
      if (job?.status === JobStatus.Success) return { kind: 'shared', accounts: [...projects] };
      // Running, or failed (a second job for members an earlier one added may fail): the members,
      // once listed, are the share.
      const now = new Set(await this.#client.imageMembers(target, image.imageId));
      if (projects.every((project) => now.has(project))) return { kind: 'shared', accounts: [...projects] };
      if (job?.status === JobStatus.Fail) {
        const code = cleanText(job.error_code ?? 'IMS.ShareFailed', this.#observe.secrets) || 'IMS.ShareFailed';
        const added = projects.filter((project) => now.has(project));
        const reason = cleanText(job.fail_reason ?? `IMS share job ${jobId} failed`, this.#observe.secrets) || `IMS share job ${jobId} failed`;
        const message = added.length === 0 ? reason : `${reason} (members already: ${added.join(', ')})`;
        return { kind: 'refused', reason: code === SHARE_QUOTA_CODE ? RefusalReason.Quota : RefusalReason.Invalid, code, message };
      }
      throw new RetryableError('HuaweiShareRunning', `IMS is adding ${missing.length} member project(s) to ${image.imageId} (job ${jobId}); looking again at the next poll`);
    } catch (error) {
      if (isRetryable(error)) throw error;
      const code = errorCode(error);
      return { kind: 'refused', reason: code === SHARE_QUOTA_CODE ? RefusalReason.Quota : RefusalReason.Invalid, code, message: errorMessage(error) };
    }
  }

  /** Takes projects (or every member) off the image; a job IMS finishes on its own. */
  async unshareImage(image: ImageRef, projects: readonly string[] | 'all'): Promise<void> {
    const target = this.#target(image.region);
    try {
      const remove = projects === 'all' ? await this.#client.imageMembers(target, image.imageId) : [...projects];
      if (remove.length > 0) await this.#client.removeMembers(target, { images: [image.imageId], projects: remove });
    } catch (error) {
      // IMS says the image is gone (an earlier deletion whose answer was lost): nobody has it.
      if (isNotFound(error)) return;
      throw error;
    }
  }

  /**
   * Whether anything runs or would launch from the image, asked right before a deletion:
   *   - a member project we did not share it with (somebody shared it by hand) cannot be judged,
   *     since its servers are not ours to list: unknown, so the copy is kept. The projects we
   *     shared it with lose it, as on Alibaba (retention says so in its log);
   *   - a server of the project (ECS) started from it;
   *   - an AS configuration launching it, as the system disk's image or a data disk's.
   * Any failure throws, and retention keeps the copy.
   */
  async imageInUse(image: ImageRef): Promise<ImageUse> {
    const target = this.#target(image.region);
    const ours = new Set(image.sharedWith ?? []);
    // An image IMS says is gone (a deletion whose answer was lost) has no members; servers and
    // scaling configurations are still asked, as they can outlive the image.
    const members = await this.#client.imageMembers(target, image.imageId).catch((error: unknown) => {
      if (isNotFound(error)) return [];
      throw error;
    });
    const strangers = members.filter((member) => !ours.has(member));
    if (strangers.length > 0) return { state: ImageUseState.Unknown, why: `shared with ${strangers.length} project(s) the policy does not name, whose servers cannot be listed` };
    const servers = await this.#client.serversUsingImage(target, image.imageId);
    if (servers > 0) return { state: ImageUseState.Used, by: `${servers} server${servers === 1 ? '' : 's'}` };
    const launching = (await this.#client.scalingConfigs(target)).filter(
      (config) => config.instance_config?.imageRef === image.imageId || (config.instance_config?.disk ?? []).some((disk) => disk.data_disk_image_id === image.imageId),
    );
    if (launching.length === 0) return { state: ImageUseState.Unused };
    const named = launching.slice(0, 3).map((config) => `AS configuration ${quoteShort(config.scaling_configuration_id)}`);
    return { state: ImageUseState.Used, by: launching.length > 3 ? `${named.join(', ')} and ${launching.length - 3} more` : named.join(', ') };
  }

  async deprecateImage(_image: ImageRef): Promise<void> {
    await Promise.resolve();
    throw new TerminalError('HuaweiDeprecateNotSupported', 'IMS has no deprecated state for images');
  }

  #regionProblem(region: string): string | undefined {
    if (!REGION_ID_PATTERN.test(region)) return `${JSON.stringify(region.slice(0, 40))} is not a Huawei region id`;
    if (!this.#regions.has(region)) return `${region} is not an IMS region we know (add it to extraRegions if it is new)`;
    if (!this.#projectIds.has(region)) return `no project id is configured for ${region}`;
    return undefined;
  }

  #target(region: string): ImsTarget {
    const problem = this.#regionProblem(region);
    const projectId = this.#projectIds.get(region);
    if (problem !== undefined || projectId === undefined) throw new TerminalError('HuaweiUnknownRegion', `${problem ?? region}; no request was made`);
    return { region, projectId };
  }
}
