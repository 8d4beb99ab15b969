import OpenApi, { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { ConfigError, TerminalError, isReplicationError } from '../../core/domain/errors';
import { type CloudImage, ImageState } from '../../core/domain/image';
import { isRegionId, quoteShort } from '../../core/domain/region';
import type { CopyImageCommand, EcsImages, ImageQuery } from './ecs-images';
import { type AlibabaCredentialSource, sdkCredential, secretsOf } from './credentials';
import { toEcsError } from './errors';
import { rpcParams } from './rpc';
import * as z from '../../core/zod';

/** Every ECS action this adapter calls. The RAM policy is derived from these literals: keep them literal. */
export const ECS_ACTIONS_USED = [
  'DescribeImages',
  'CopyImage',
  'CancelCopyImage',
  'DeleteImage',
  'CopySnapshot',
  'DescribeSnapshots',
  'CreateImage',
  'DeleteSnapshot',
  'ModifyImageSharePermission',
  'DescribeImageSharePermission',
  'DescribeInstances',
  'DescribeLaunchTemplates',
  'DescribeLaunchTemplateVersions',
  'ModifyImageAttribute',
  'DescribeRegions',
] as const;
export type EcsAction = (typeof ECS_ACTIONS_USED)[number];

/** Every Auto Scaling (ESS) action: only the in-use check, which configurations launch from an image. */
export const ESS_ACTIONS_USED = ['DescribeScalingConfigurations'] as const;
export type EssAction = (typeof ESS_ACTIONS_USED)[number];

export const ECS_API_VERSION = '2014-05-26';
export const ESS_API_VERSION = '2014-08-28';
/** Regions whose ESS answers at the central endpoint (the SDKs' endpoint map); any other at ess.<region>.aliyuncs.com. */
const ESS_CENTRAL_REGIONS: ReadonlySet<string> = new Set([
  'cn-qingdao', 'cn-beijing', 'cn-hangzhou', 'cn-shanghai', 'cn-shenzhen', 'cn-hongkong', 'ap-southeast-1', 'us-east-1', 'us-west-1',
  'cn-shanghai-finance-1', 'cn-shenzhen-finance-1', 'cn-north-2-gov-1',
]);

/** Where ESS answers for a region (a region id, checked before any host is made of it). */
export const essHost = (region: string): string => (ESS_CENTRAL_REGIONS.has(region) ? 'ess.aliyuncs.com' : `ess.${region}.aliyuncs.com`);

/** The RPC products the adapter calls: same signature and wire, their own version and host. */
const PRODUCTS = {
  ecs: { label: 'ECS', version: ECS_API_VERSION, host: (region: string) => `ecs.${region}.aliyuncs.com` },
  ess: { label: 'Auto Scaling', version: ESS_API_VERSION, host: essHost },
} as const;
type Product = keyof typeof PRODUCTS;
const productOf = (action: EcsAction | EssAction): Product => ((ESS_ACTIONS_USED as readonly string[]).includes(action) ? 'ess' : 'ecs');
export const ECS_ENDPOINT_ENV = 'IMAGE_REPLICATOR_ECS_ENDPOINT';
export const ESS_ENDPOINT_ENV = 'IMAGE_REPLICATOR_ESS_ENDPOINT';

/** The SDK retries nothing by default; these are ours. Backoff ceiling 2^(attempt·period) ms, equal jitter. */
export const ECS_RETRY_MAX_ATTEMPTS = 3;
export const ECS_RETRY_BACKOFF_PERIOD = 7;
export const ECS_RETRY_MAX_DELAY_MS = 2_000;
export const ECS_READ_TIMEOUT_MS = 10_000;
export const ECS_CONNECT_TIMEOUT_MS = 5_000;
/** DescribeImages' maximum. */
export const ECS_PAGE_SIZE = 100;
const MAX_PAGES = 1_000;

export interface EcsEndpointOverride {
  /** host:port, no scheme. */
  readonly endpoint: string;
  readonly protocol: 'http' | 'https';
}

export interface EcsRetrySettings {
  readonly maxAttempts: number;
  readonly backoffPeriod: number;
  readonly maxDelayMs: number;
}

export interface AlibabaEcsImageCloudOptions {
  readonly credentials: AlibabaCredentialSource;
  /**
   * Set to talk to the simulator (or a private endpoint); otherwise `ecs.<region>.aliyuncs.com` over
   * https. Auto Scaling is asked there too (the simulator answers both by the request's version)
   * unless `essEndpoint` is set.
   */
  readonly endpoint?: EcsEndpointOverride | undefined;
  /** Where Auto Scaling answers when not at its public endpoints or `endpoint` (a private ESS endpoint). */
  readonly essEndpoint?: EcsEndpointOverride | undefined;
  readonly readTimeoutMs?: number | undefined;
  readonly connectTimeoutMs?: number | undefined;
  readonly retry?: Partial<EcsRetrySettings> | undefined;
}

/** Parses `http://127.0.0.1:8123` (the IMAGE_REPLICATOR_ECS_ENDPOINT form) into the SDK's endpoint + protocol. */
export const parseEcsEndpoint = (url: string, name: string = ECS_ENDPOINT_ENV): EcsEndpointOverride => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigError(`${name} must be a URL like http://127.0.0.1:8123, got "${url}"`, { cause: error });
  }
  const protocol = parsed.protocol.replace(/:$/, '');
  if ((protocol !== 'http' && protocol !== 'https') || parsed.host === '' || (parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search !== '' || parsed.username !== '') {
    throw new ConfigError(`${name} must be http(s)://host[:port] with no path, query or user, got "${url}"`);
  }
  return { endpoint: parsed.host, protocol };
};

export const ecsEndpointFromEnv = (env: NodeJS.ProcessEnv = process.env, name: string = ECS_ENDPOINT_ENV): EcsEndpointOverride | undefined => {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : parseEcsEndpoint(raw, name);
};

const ALIBABA_STATUS = z.enum(['Creating', 'Waiting', 'Available', 'UnAvailable', 'CreateFailed', 'Deprecated']);

const STATE_OF: Readonly<Record<z.infer<typeof ALIBABA_STATUS>, ImageState>> = {
  Creating: ImageState.Pending,
  Waiting: ImageState.Pending,
  Available: ImageState.Available,
  CreateFailed: ImageState.Failed,
  UnAvailable: ImageState.Unavailable,
  Deprecated: ImageState.Unavailable,
};

const STATUSES_OF: Readonly<Record<ImageState, readonly string[]>> = {
  [ImageState.Pending]: ['Creating', 'Waiting'],
  [ImageState.Available]: ['Available'],
  [ImageState.Failed]: ['CreateFailed'],
  [ImageState.Unavailable]: ['UnAvailable', 'Deprecated'],
};

const imageSchema = z.object({
  ImageId: z.string().check(z.minLength(1)),
  ImageName: z.string(),
  Description: z.optional(z.string()),
  Status: ALIBABA_STATUS,
  /** A string such as "40%" (sometimes "40", sometimes empty). */
  Progress: z.optional(z.string().check(z.regex(/^(\d{1,3}(\.\d+)?%?)?$/))),
  Size: z.number().check(z.nonnegative()),
  CreationTime: z.optional(z.string().check(z.refine((text) => text === '' || !Number.isNaN(Date.parse(text)), 'not a date'))),
  Tags: z.optional(z.object({ Tag: z.array(z.object({ TagKey: z.string(), TagValue: z.optional(z.string()) })) })),
  DiskDeviceMappings: z.optional(
    z.object({
      DiskDeviceMapping: z.array(
        z.looseObject({
          Encrypted: z.optional(z.union([z.boolean(), z.string()])),
          SnapshotId: z.optional(z.string()),
          Device: z.optional(z.string()),
          Type: z.optional(z.string()),
          Size: z.optional(z.union([z.string(), z.number()])),
        }),
      ),
    }),
  ),
  Platform: z.optional(z.string()),
  Architecture: z.optional(z.string()),
  BootMode: z.optional(z.string()),
  ImageFamily: z.optional(z.string()),
});
export type EcsImageRecord = z.infer<typeof imageSchema>;

const describeImagesSchema = z.object({
  TotalCount: z.number().check(z.int(), z.nonnegative()),
  PageNumber: z.number().check(z.int(), z.positive()),
  PageSize: z.number().check(z.int(), z.positive()),
  Images: z.object({ Image: z.array(imageSchema) }),
});

const copyImageSchema = z.object({ ImageId: z.string().check(z.minLength(1)) });
const responseSchema = z.object({ body: z.unknown() });

const percent = (progress: string | undefined): number | undefined => {
  if (progress === undefined || progress === '') return undefined;
  return Math.min(100, Math.max(0, Math.round(Number.parseFloat(progress))));
};

const toCloudImage = (region: string, raw: z.infer<typeof imageSchema>): CloudImage => {
  const disks = raw.DiskDeviceMappings?.DiskDeviceMapping ?? [];
  const flags = disks.map((d) => d.Encrypted).filter((e) => e !== undefined);
  return {
    id: raw.ImageId,
    region,
    name: raw.ImageName,
    description: raw.Description === '' ? undefined : raw.Description,
    state: STATE_OF[raw.Status],
    progressPercent: percent(raw.Progress),
    sizeGiB: raw.Size,
    tags: Object.fromEntries((raw.Tags?.Tag ?? []).map((t) => [t.TagKey, t.TagValue ?? ''])),
    createdAt: raw.CreationTime === undefined || raw.CreationTime === '' ? undefined : new Date(raw.CreationTime).toISOString(),
    encrypted: flags.length === 0 ? undefined : flags.some((e) => e === true || e === 'true'),
    family: raw.ImageFamily === undefined || raw.ImageFamily === '' ? undefined : raw.ImageFamily,
  };
};

/** `yyyy-MM-ddTHH:mmZ`, rounded down to the minute, as DescribeImages' creation-time filter wants. */
export const creationFilterTime = (date: Date): string => `${date.toISOString().slice(0, 16)}Z`;

export const tagParams = (tags: Readonly<Record<string, string>> | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(tags ?? {}).flatMap(([key, value], index) => [
      [`Tag.${index + 1}.Key`, key],
      [`Tag.${index + 1}.Value`, value],
    ]),
  );

export const parseBody = <T>(action: EcsAction | EssAction, region: string, schema: z.core.$ZodType<T>, body: unknown): T => {
  const parsed = z.safeParse(schema, body);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
  throw new TerminalError('EcsUnexpectedResponse', `${PRODUCTS[productOf(action)].label} ${action} in ${region} answered an unexpected body: ${fields}`, {
    cause: parsed.error,
    details: { action, region },
  });
};

/** The ImageCloud port over ECS's RPC API, through openapi-core's generic callApi (no 28 MB ECS SDK). */
export class AlibabaEcsImageCloud implements EcsImages {
  readonly #clients = new Map<string, OpenApi>();
  readonly #secrets: readonly string[];
  readonly #retry: EcsRetrySettings;

  constructor(private readonly options: AlibabaEcsImageCloudOptions) {
    this.#secrets = secretsOf(options.credentials);
    this.#retry = {
      maxAttempts: options.retry?.maxAttempts ?? ECS_RETRY_MAX_ATTEMPTS,
      backoffPeriod: options.retry?.backoffPeriod ?? ECS_RETRY_BACKOFF_PERIOD,
      maxDelayMs: options.retry?.maxDelayMs ?? ECS_RETRY_MAX_DELAY_MS,
    };
  }

  async listImages(region: string, query: ImageQuery): Promise<CloudImage[]> {
    if (query.states.length === 0) return [];
    const statuses = [...new Set(query.states.flatMap((state) => STATUSES_OF[state]))];
    const filter: Record<string, string> = {
      Status: statuses.join(','),
      PageSize: String(ECS_PAGE_SIZE),
      ...(query.imageId === undefined ? {} : { ImageId: query.imageId }),
      ...(query.ownedBySelf === true ? { ImageOwnerAlias: 'self' } : {}),
      ...tagParams(query.tags),
      ...(query.createdSince === undefined
        ? {}
        : { 'Filter.1.Key': 'CreationStartTime', 'Filter.1.Value': creationFilterTime(query.createdSince) }),
    };
    const found = new Map<string, CloudImage>();
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const body = await this.invoke('DescribeImages', region, { ...filter, PageNumber: String(page) });
      const parsed = parseBody('DescribeImages', region, describeImagesSchema, body);
      for (const raw of parsed.Images.Image) found.set(raw.ImageId, toCloudImage(region, raw));
      // A short page is the last one, whatever TotalCount claims.
      if (parsed.Images.Image.length < ECS_PAGE_SIZE || page * ECS_PAGE_SIZE >= parsed.TotalCount) break;
    }
    return [...found.values()];
  }

  async copyImage(command: CopyImageCommand): Promise<{ readonly imageId: string }> {
    const body = await this.invoke('CopyImage', command.sourceRegion, {
      ImageId: command.sourceImageId,
      DestinationRegionId: command.destinationRegion,
      DestinationImageName: command.name,
      ...(command.description === undefined ? {} : { DestinationDescription: command.description }),
      ...(command.encrypted === undefined ? {} : { Encrypted: String(command.encrypted) }),
      ...(command.kmsKeyId === undefined ? {} : { KMSKeyId: command.kmsKeyId }),
      ...tagParams(command.tags),
      ClientToken: command.idempotencyToken,
    });
    return { imageId: parseBody('CopyImage', command.sourceRegion, copyImageSchema, body).ImageId };
  }

  async cancelCopy(region: string, imageId: string): Promise<void> {
    await this.invoke('CancelCopyImage', region, { ImageId: imageId });
  }

  async deleteImage(region: string, imageId: string): Promise<void> {
    try {
      await this.invoke('DeleteImage', region, { ImageId: imageId });
    } catch (error) {
      if (isReplicationError(error) && error.code === 'InvalidImageId.NotFound') return;
      throw error;
    }
  }

  /** One image as DescribeImages has it, with its disks and attributes; undefined when it does not exist. */
  async describeImage(region: string, imageId: string): Promise<EcsImageRecord | undefined> {
    const body = await this.invoke('DescribeImages', region, { ImageId: imageId, Status: 'Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated', ImageOwnerAlias: 'self' });
    return parseBody('DescribeImages', region, describeImagesSchema, body).Images.Image.find((image) => image.ImageId === imageId);
  }

  /** An action and its parameters, for the calls other modules of this provider make (snapshots, sharing, in use). */
  call(action: EcsAction | EssAction, region: string, params: Record<string, string>): Promise<unknown> {
    return this.invoke(action, region, params);
  }

  /** The one door to ECS (and ESS): signs, retries throttling and 5xx, and translates failures. */
  private async invoke(action: EcsAction | EssAction, region: string, params: Record<string, string>): Promise<unknown> {
    const product = productOf(action);
    const client = this.clientFor(product, region);
    const request = new $OpenApiUtil.OpenApiRequest({ query: { RegionId: region, ...params } });
    try {
      const response: unknown = await client.callApi(rpcParams(action, PRODUCTS[product].version), request, new $dara.RuntimeOptions({}));
      return z.parse(responseSchema, response).body;
    } catch (error) {
      throw toEcsError(error, { service: PRODUCTS[product].label, action, region, secrets: this.#secrets });
    }
  }

  private clientFor(product: Product, region: string): OpenApi {
    const key = `${product}/${region}`;
    const cached = this.#clients.get(key);
    if (cached) return cached;
    // The region becomes the endpoint's host name: anything but a region id could send the signed
    // request, and the function's STS token, somewhere else.
    if (!isRegionId(region)) throw new TerminalError('InvalidRegion', `${quoteShort(region)} is not a region id; no request was made`);
    const override = product === 'ess' ? (this.options.essEndpoint ?? this.options.endpoint) : this.options.endpoint;
    const client = new OpenApi(
      new $OpenApiUtil.Config({
        credential: sdkCredential(this.options.credentials),
        regionId: region,
        endpoint: override?.endpoint ?? PRODUCTS[product].host(region),
        protocol: override?.protocol ?? 'https',
        readTimeout: this.options.readTimeoutMs ?? ECS_READ_TIMEOUT_MS,
        connectTimeout: this.options.connectTimeoutMs ?? ECS_CONNECT_TIMEOUT_MS,
        retryOptions: this.retryOptions(),
      }),
    );
    this.#clients.set(key, client);
    return client;
  }

  /** Throttling and 5xx only: a timeout is surfaced, because CopyImage's outcome is then unknown and the caller decides. */
  private retryOptions(): $dara.RetryOptions {
    const { maxAttempts, backoffPeriod, maxDelayMs } = this.#retry;
    return new $dara.RetryOptions({
      retryable: maxAttempts > 1,
      retryCondition: [
        {
          maxAttempts,
          exception: ['ThrottlingError', 'ServerError'],
          errorCode: ['Throttling', 'Throttling.User', 'Throttling.Api', 'ServiceUnavailable', 'InternalError'],
          backoff: { policy: 'EqualJitter', period: backoffPeriod, cap: maxDelayMs },
          maxDelay: maxDelayMs,
        },
      ],
    });
  }
}
