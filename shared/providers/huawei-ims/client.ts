import { type Clock, systemClock } from '../../core/domain/clock';
import { ConfigError, TerminalError } from '../../core/domain/errors';
import { withRetry } from '../../core/domain/retry';
import { readWholeListing } from '../../core/domain/whole-listing';
import { type AccessKeyCredentials, secretValuesOf } from '../../core/ports/credentials';
import { DEFAULT_AS_ENDPOINT_TEMPLATE, DEFAULT_ECS_ENDPOINT_TEMPLATE, type EndpointResolver, endpointResolver } from './endpoint';
import {
  type ImsCallContext,
  ImsErrorCode,
  type ImsOperation as ImsOperationName,
  ImsOperation,
  describeIssues,
  errorFromAnswer,
  errorFromFailure,
  isNotFound,
  unexpectedAnswer,
  worthResending,
} from './errors';
import {
  AS_PAGE_SIZE,
  IMAGE_ID_PATTERN,
  type ImsImage,
  type ImsJob,
  JOB_ID_PATTERN,
  PROJECT_ID_PATTERN,
  jobAnswerSchema,
  listImagesAnswerSchema,
  listMembersAnswerSchema,
  listScalingConfigsAnswerSchema,
  listServersAnswerSchema,
  type ScalingConfig,
  showJobAnswerSchema,
} from './schemas';
import { type QueryValue, sdkDate, sdkEncode, signRequest } from './signer';
import * as z from '../../core/zod';

/** Per request, connection to last byte. */
export const IMS_DEFAULT_TIMEOUT_MS = 15_000;
/** ListImages' documented default page size. */
export const IMS_PAGE_SIZE = 500;
/** Pages per listing before we call the answer runaway. */
export const IMS_MAX_PAGES = 40;
/** Tries per request, the first included, and the back-off between them (equal jitter). */
export const IMS_RETRY_ATTEMPTS = 3;
export const IMS_RETRY_BASE_DELAY_MS = 200;
export const IMS_RETRY_MAX_DELAY_MS = 2_000;
/** Largest answer body we read: a full page of images is far below it. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

const JSON_CONTENT_TYPE = 'application/json';
/** What the SDK sends with a body. */
const JSON_BODY_CONTENT_TYPE = 'application/json;charset=UTF-8';

export interface ImsRetrySettings {
  /** Tries in all, the first included; 1 turns retries off. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** The wait between tries: injected by tests, which never sleep. */
  readonly pause: (ms: number) => Promise<void>;
  readonly random?: (() => number) | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface ImsClientOptions {
  readonly credentials: AccessKeyCredentials;
  /** `https://ims.{region}.myhuaweicloud.com` (default) or a local override such as `http://127.0.0.1:8124/{region}`. */
  readonly endpointTemplate?: string | undefined;
  /**
   * Where ECS answers (which servers run from an image). Absent: the IMS override when there is
   * one (one server for every service, as the simulator is), else `https://ecs.{region}.myhuaweicloud.com`.
   */
  readonly ecsEndpointTemplate?: string | undefined;
  /** Where Auto Scaling answers (which configurations launch an image); absent as for ECS, else `https://as.{region}.myhuaweicloud.com`. */
  readonly asEndpointTemplate?: string | undefined;
  /** Injected for tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch | undefined;
  /** Dates the signature (X-Sdk-Date): the gateway refuses dates more than 15 minutes off. */
  readonly clock?: Clock | undefined;
  readonly timeoutMs?: number | undefined;
  readonly maxPages?: number | undefined;
  readonly retry?: Partial<ImsRetrySettings> | undefined;
}

/** Which region's endpoint to call, in which project (the X-Project-Id header). */
export interface ImsTarget {
  readonly region: string;
  readonly projectId: string;
}

export const ImageType = { Private: 'private', Gold: 'gold', Shared: 'shared', Market: 'market' } as const;
export type ImageType = (typeof ImageType)[keyof typeof ImageType];

export interface ListImagesFilter {
  readonly imageType?: ImageType | undefined;
  readonly id?: string | undefined;
  /** Exact match. */
  readonly name?: string | undefined;
  readonly status?: string | undefined;
  /** Sent as `tag=key=value`. */
  readonly tag?: { readonly key: string; readonly value: string } | undefined;
  /** A project id: only that project's images. */
  readonly owner?: string | undefined;
  readonly createdSince?: Date | undefined;
}

export interface CrossRegionCopyBody {
  readonly name: string;
  readonly description?: string | undefined;
  /** Destination region id. */
  readonly region: string;
  /** Destination project name (normally the region id); not its id. */
  readonly project_name: string;
  readonly agency_name: string;
}

/** Images of one region and the projects a batch member call adds or removes. */
export interface MemberBatch {
  readonly images: readonly string[];
  readonly projects: readonly string[];
}

export interface ImsTag {
  readonly key: string;
  readonly value: string;
}

interface ImsRequest {
  readonly operation: ImsOperationName;
  /** The service that answers it; IMS unless said. */
  readonly service?: 'ecs' | 'as' | undefined;
  readonly target: ImsTarget;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>> | undefined;
  readonly body?: unknown;
  /** Doing it twice does no harm: a transient failure may be retried although IMS may have acted. GET and DELETE are; a POST says. */
  readonly idempotent?: boolean | undefined;
}

interface ImsAnswer {
  readonly status: number;
  readonly body: string;
  readonly requestId?: string | undefined;
}

const requireId = (kind: string, pattern: RegExp, value: string): string => {
  if (!pattern.test(value)) {
    throw new TerminalError('HuaweiInvalidId', `${JSON.stringify(value.slice(0, 80))} is not a valid ${kind}; no request was made`);
  }
  return value;
};

/** `yyyy-MM-ddTHH:mm:ssZ`, the form the created_at filter takes. */
const filterTime = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;

/**
 * The IMS calls the product makes, over fetch with our own signer (the IMS SDK is not installable
 * here, and its core logs signed requests on 4xx). Every request goes through the product's retry
 * helper (core/domain/retry.ts), a few quick tries: throttling and a request that never left are
 * tried again whatever the call; a 5xx or a dropped connection only for calls that may be done
 * twice. A cross_region_copy whose answer was lost is never sent again here (IMS takes no token):
 * it fails as "may have run", and the provider looks for the copy instead.
 */
export class ImsClient {
  readonly #endpoints: EndpointResolver;
  readonly #ecsEndpoints: EndpointResolver;
  readonly #asEndpoints: EndpointResolver;
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #maxPages: number;
  readonly #retry: ImsRetrySettings;
  readonly #secrets: readonly string[];

  constructor(private readonly options: ImsClientOptions) {
    if (options.credentials.accessKeyId === '' || options.credentials.accessKeySecret === '') {
      throw new ConfigError('Huawei Cloud credentials need both an AK and an SK');
    }
    this.#endpoints = endpointResolver(options.endpointTemplate);
    this.#ecsEndpoints = endpointResolver(options.ecsEndpointTemplate ?? options.endpointTemplate ?? DEFAULT_ECS_ENDPOINT_TEMPLATE);
    this.#asEndpoints = endpointResolver(options.asEndpointTemplate ?? options.endpointTemplate ?? DEFAULT_AS_ENDPOINT_TEMPLATE);
    this.#fetch = options.fetch ?? fetch;
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.timeoutMs ?? IMS_DEFAULT_TIMEOUT_MS;
    this.#maxPages = options.maxPages ?? IMS_MAX_PAGES;
    this.#retry = {
      attempts: options.retry?.attempts ?? IMS_RETRY_ATTEMPTS,
      baseDelayMs: options.retry?.baseDelayMs ?? IMS_RETRY_BASE_DELAY_MS,
      maxDelayMs: options.retry?.maxDelayMs ?? IMS_RETRY_MAX_DELAY_MS,
      pause: options.retry?.pause ?? sleep,
      random: options.retry?.random,
    };
    this.#secrets = secretValuesOf(options.credentials);
  }

  /** Every page of GET /v2/cloudimages, following `marker` (the last id of a page). */
  async listImages(target: ImsTarget, filter: ListImagesFilter, pageSize = IMS_PAGE_SIZE): Promise<ImsImage[]> {
    const query: Record<string, string> = { limit: String(pageSize) };
    if (filter.imageType !== undefined) query.__imagetype = filter.imageType;
    if (filter.id !== undefined) query.id = requireId('image id', IMAGE_ID_PATTERN, filter.id);
    if (filter.name !== undefined) query.name = filter.name;
    if (filter.status !== undefined) query.status = filter.status;
    if (filter.tag !== undefined) query.tag = `${filter.tag.key}=${filter.tag.value}`;
    if (filter.owner !== undefined) query.owner = filter.owner;
    if (filter.createdSince !== undefined) query.created_at = `gte:${filterTime(filter.createdSince)}`;

    const found = new Map<string, ImsImage>();
    let marker: string | undefined;
    for (let page = 1; page <= this.#maxPages; page += 1) {
      const request = { operation: ImsOperation.ListImages, target, method: 'GET', path: '/v2/cloudimages', query: marker === undefined ? query : { ...query, marker } } as const;
      const { images } = this.#parse(request, await this.#expect(request, [200]), listImagesAnswerSchema);
      for (const image of images) found.set(image.id, image);
      const last = images.at(-1)?.id;
      // A short page is the last; a page that ends where the last one did would loop forever.
      if (images.length < pageSize || last === undefined || last === marker) return [...found.values()];
      marker = last;
    }
    throw new TerminalError(ImsErrorCode.TooManyPages, `IMS ListImages in ${target.region} returned more than ${this.#maxPages} pages of ${pageSize}; narrow the query`, {
      details: { operation: ImsOperation.ListImages, region: target.region },
    });
  }

  /** POST /v1/cloudimages/{image_id}/cross_region_copy on the source region; answers the IMS job id. */
  async crossRegionCopy(source: ImsTarget, imageId: string, body: CrossRegionCopyBody): Promise<string> {
    const request = {
      operation: ImsOperation.CopyImageCrossRegion,
      target: source,
      method: 'POST',
      path: `/v1/cloudimages/${requireId('image id', IMAGE_ID_PATTERN, imageId)}/cross_region_copy`,
      body,
    } as const;
    return this.#parse(request, await this.#expect(request, [200, 202]), jobAnswerSchema).job_id;
  }

  /** GET /v1/{project_id}/jobs/{job_id}; undefined when IMS does not know the job (404). */
  async showJob(target: ImsTarget, jobId: string): Promise<ImsJob | undefined> {
    const request = {
      operation: ImsOperation.ShowJob,
      target,
      method: 'GET',
      path: `/v1/${target.projectId}/jobs/${requireId('job id', JOB_ID_PATTERN, jobId)}`,
    } as const;
    let answer: ImsAnswer;
    try {
      answer = await this.#expect(request, [200]);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    return this.#parse(request, answer, showJobAnswerSchema);
  }

  /** DELETE /v2/images/{image_id}; 'absent' when there was nothing to delete. */
  async deleteImage(target: ImsTarget, imageId: string): Promise<'deleted' | 'absent'> {
    const request = {
      operation: ImsOperation.DeleteImage,
      target,
      method: 'DELETE',
      path: `/v2/images/${requireId('image id', IMAGE_ID_PATTERN, imageId)}`,
    } as const;
    try {
      await this.#expect(request, [204, 200]);
      return 'deleted';
    } catch (error) {
      // Also the answer to a retry whose first try deleted it: gone is what was asked.
      if (isNotFound(error)) return 'absent';
      throw error;
    }
  }

  /** POST /v2/{project_id}/images/{image_id}/tags/action (create): adds or updates, idempotent. */
  async addTags(target: ImsTarget, imageId: string, tags: readonly ImsTag[]): Promise<void> {
    if (tags.length === 0) return;
    const request = {
      operation: ImsOperation.BatchAddOrDeleteTags,
      target,
      method: 'POST',
      path: `/v2/${target.projectId}/images/${requireId('image id', IMAGE_ID_PATTERN, imageId)}/tags/action`,
      body: { action: 'create', tags: tags.map(({ key, value }) => ({ key, value })) },
      // Adds or updates: the same tags twice are the same tags.
      idempotent: true,
    } as const;
    await this.#expect(request, [204, 200]);
  }

  /** POST /v1/cloudimages/members: shares images with other projects of the same region (a job). */
  addMembers(target: ImsTarget, share: MemberBatch): Promise<string> {
    return this.#memberBatch(ImsOperation.BatchAddMembers, 'POST', target, share);
  }

  /** GET /v2/images/{image_id}/members: the projects the image is shared with (accepted or not). */
  async imageMembers(target: ImsTarget, imageId: string): Promise<string[]> {
    const request = {
      operation: ImsOperation.ListImageMembers,
      target,
      method: 'GET',
      path: `/v2/images/${requireId('image id', IMAGE_ID_PATTERN, imageId)}/members`,
    } as const;
    return this.#parse(request, await this.#expect(request, [200]), listMembersAnswerSchema).members.map((member) => member.member_id);
  }

  /** DELETE /v1/cloudimages/members: takes projects off images of the region (a job). */
  removeMembers(target: ImsTarget, share: MemberBatch): Promise<string> {
    return this.#memberBatch(ImsOperation.BatchDeleteMembers, 'DELETE', target, share);
  }

  /** Adds or removes members: the same body, a job either way. */
  async #memberBatch(operation: ImsOperationName, method: 'POST' | 'DELETE', target: ImsTarget, share: MemberBatch): Promise<string> {
    const request = {
      operation,
      target,
      method,
      path: '/v1/cloudimages/members',
      body: {
        images: share.images.map((id) => requireId('image id', IMAGE_ID_PATTERN, id)),
        projects: share.projects.map((id) => requireId('project id', PROJECT_ID_PATTERN, id)),
      },
    } as const;
    return this.#parse(request, await this.#expect(request, [200, 202]), jobAnswerSchema).job_id;
  }

  /**
   * GET /v2.1/{project_id}/servers?image={image_id} on ECS: how many of the tenant's servers in the
   * region were started from the image. With `image`, ECS applies no other filter and no paging,
   * so one answer holds them all. ECS lists this OpenStack API among its older ones (its own
   * server listing has no image filter); were it withdrawn, the answer is an error and the copy
   * is kept.
   */
  async serversUsingImage(target: ImsTarget, imageId: string): Promise<number> {
    const request = {
      operation: ImsOperation.ListServersByImage,
      service: 'ecs',
      target,
      method: 'GET',
      path: `/v2.1/${target.projectId}/servers`,
      query: { image: requireId('image id', IMAGE_ID_PATTERN, imageId) },
    } as const;
    return this.#parse(request, await this.#expect(request, [200]), listServersAnswerSchema).servers.length;
  }

  /**
   * Every AS configuration of the project in the region, a page of 100 at a time (`start_number`
   * is an offset). AS's image filter matches only the system disk's image, so all are read and the
   * caller looks at data disks too. A listing short of its count or past maxPages is an error.
   */
  async scalingConfigs(target: ImsTarget): Promise<ScalingConfig[]> {
    return readWholeListing({
      pageSize: AS_PAGE_SIZE,
      maxPages: this.#maxPages,
      what: `AS configurations in ${target.region}`,
      read: async ({ offset }) => {
        const request = {
          operation: ImsOperation.ListScalingConfigs,
          service: 'as',
          target,
          method: 'GET',
          path: `/autoscaling-api/v1/${target.projectId}/scaling_configuration`,
          query: { start_number: String(offset), limit: String(AS_PAGE_SIZE) },
        } as const;
        const answer = this.#parse(request, await this.#expect(request, [200]), listScalingConfigsAnswerSchema);
        return { items: answer.scaling_configurations, total: answer.total_number };
      },
    });
  }

  #context(request: ImsRequest): ImsCallContext {
    return { operation: request.operation, region: request.target.region, secrets: this.#secrets };
  }

  /**
   * Sends until an answer has one of `statuses`, retrying what `worthResending` allows; throws the
   * last failure. The client cannot see its caller's invocation deadline (providers outlive
   * invocations), so no try starts once the request's own timeout has passed since the first: a
   * call takes at most about two request timeouts, and the caller's deadline checks stay honest.
   */
  async #expect(request: ImsRequest, statuses: readonly number[]): Promise<ImsAnswer> {
    const idempotent = request.idempotent ?? request.method !== 'POST';
    const started = this.#clock.now().getTime();
    const inTime = (): boolean => this.#clock.now().getTime() - started < this.#timeoutMs;
    return withRetry(
      async () => {
        const answer = await this.#send(request);
        if (!statuses.includes(answer.status)) throw errorFromAnswer(this.#context(request), answer);
        return answer;
      },
      { ...this.#retry, jitter: 'equal', retryable: (error) => worthResending(error, idempotent) && inTime() },
    );
  }

  #parse<T>(request: ImsRequest, answer: ImsAnswer, schema: z.core.$ZodType<T>): T {
    let json: unknown;
    try {
      json = JSON.parse(answer.body);
    } catch (error) {
      throw unexpectedAnswer(this.#context(request), answer.status, 'not JSON', error);
    }
    const parsed = z.safeParse(schema, json);
    if (!parsed.success) throw unexpectedAnswer(this.#context(request), answer.status, describeIssues(parsed.error), parsed.error);
    return parsed.data;
  }

  /** Signs and sends one request; answers whatever status came back, throws only when none did. */
  async #send(request: ImsRequest): Promise<ImsAnswer> {
    const context = this.#context(request);
    requireId('project id', PROJECT_ID_PATTERN, request.target.projectId);
    const endpoint = (request.service === 'ecs' ? this.#ecsEndpoints : request.service === 'as' ? this.#asEndpoints : this.#endpoints).forRegion(request.target.region);
    const path = `${endpoint.basePath}${request.path}`;
    const query = request.query ?? {};
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = {
      'Content-Type': request.method === 'GET' ? JSON_CONTENT_TYPE : JSON_BODY_CONTENT_TYPE,
      Host: endpoint.host,
      'X-Project-Id': request.target.projectId,
      'X-Sdk-Date': sdkDate(this.#clock.now()),
    };
    const token = this.options.credentials.securityToken;
    if (token !== undefined && token !== '') headers['X-Security-Token'] = token;
    const { authorization } = signRequest(
      { method: request.method, path, query, headers, body },
      { accessKeyId: this.options.credentials.accessKeyId, secret: this.options.credentials.accessKeySecret },
    );
    const search = Object.entries(query)
      .flatMap(([key, value]) => (typeof value === 'string' ? [value] : value).map((v) => `${sdkEncode(key)}=${sdkEncode(v)}`))
      .join('&');
    const url = `${endpoint.origin}${path.split('/').map(sdkEncode).join('/')}${search === '' ? '' : `?${search}`}`;
    // fetch derives Host from the URL; it is the value we signed.
    const { Host: _host, ...sent } = headers;
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      const response = await this.#fetch(url, { method: request.method, headers: { ...sent, Authorization: authorization }, body, signal, redirect: 'manual' });
      const text = await readBounded(response, MAX_ANSWER_BYTES);
      return { status: response.status, body: text, requestId: response.headers.get('x-request-id') ?? undefined };
    } catch (error) {
      if (error instanceof AnswerTooLarge) throw unexpectedAnswer(context, error.status, error.message);
      throw errorFromFailure(context, error, signal.aborted);
    }
  }
}

class AnswerTooLarge extends Error {
  constructor(readonly status: number) {
    super(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
  }
}

/** Reads a body up to a bound: a hostile or broken server cannot make us buffer without end. */
const readBounded = async (response: Response, maxBytes: number): Promise<string> => {
  if (response.body === null) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new AnswerTooLarge(response.status);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
};
