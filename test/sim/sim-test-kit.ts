import OpenApi, { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { type AlibabaCredentials, explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { AlibabaEcsImageCloud, type AlibabaEcsImageCloudOptions } from '../../shared/providers/alibaba-ecs/image-cloud';
import { rpcParams } from '../../shared/providers/alibaba-ecs/rpc';
import { type EcsSimulator, createEcsSimulator } from '../../sim/ecs-simulator';
import type { SimSeedInput } from '../../sim/seed';
import { ManualSimClock } from '../../sim/sim-clock';

export const TEST_CREDENTIALS: AlibabaCredentials = { accessKeyId: 'LTAI-test-key', accessKeySecret: 'test-secret-5f2a9c' };
export const STS_CREDENTIALS: AlibabaCredentials = {
  accessKeyId: 'STS.test-key',
  accessKeySecret: 'sts-secret-77b1',
  securityToken: 'sts-token-CAIS-0123456789',
};

/** Retries that still go through the SDK's retry loop but wait a few milliseconds, not seconds. */
export const FAST_RETRY = { backoffPeriod: 1, maxDelayMs: 5 } as const;

export interface SimKit {
  readonly sim: EcsSimulator;
  readonly clock: ManualSimClock;
  cloud(options?: Partial<AlibabaEcsImageCloudOptions>): AlibabaEcsImageCloud;
  close(): Promise<void>;
}

/** A simulator on 127.0.0.1 with a manual clock, and adapters pointed at it. */
export const startSimKit = async (seed: SimSeedInput = {}): Promise<SimKit> => {
  const clock = new ManualSimClock('2026-11-20T08:00:00Z');
  const sim = await createEcsSimulator({
    clock,
    seed: { credentials: [TEST_CREDENTIALS, STS_CREDENTIALS], regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-shenzhen', 'ap-southeast-1', 'eu-central-1', 'us-west-1'], ...seed },
  });
  return {
    sim,
    clock,
    cloud: (options = {}) =>
      new AlibabaEcsImageCloud({
        credentials: explicitCredentials(TEST_CREDENTIALS),
        endpoint: { endpoint: sim.endpoint, protocol: 'http' },
        retry: FAST_RETRY,
        ...options,
      }),
    close: () => sim.close(),
  };
};

/** The raw generic client, as sdk-notes §2 shows it: what the API really answers, PascalCase. */
export const rawCall = async (
  sim: EcsSimulator,
  action: string,
  query: Record<string, string>,
  credentials: AlibabaCredentials = TEST_CREDENTIALS,
  extra: Partial<$OpenApiUtil.Config> = {},
  /** ECS's; ESS's (2014-08-28) for Auto Scaling actions. */
  version = '2014-05-26',
): Promise<Record<string, unknown>> => {
  const client = new OpenApi(
    new $OpenApiUtil.Config({
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      securityToken: credentials.securityToken,
      endpoint: sim.endpoint,
      protocol: 'http',
      regionId: query.RegionId ?? 'cn-hangzhou',
      ...extra,
    }),
  );
  const params = rpcParams(action, version);
  const response = await client.callApi(params, new $OpenApiUtil.OpenApiRequest({ query }), new $dara.RuntimeOptions({}));
  return response.body as Record<string, unknown>;
};

/** What a rejected call threw, for asserting on the SDK's own error shape. */
export const rejection = async (promise: Promise<unknown>): Promise<Record<string, unknown>> => {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the call to be rejected');
};

export const GOLDEN = { region: 'cn-hangzhou', name: 'golden-web-2026-11', sizeGiB: 20, tags: { role: 'golden' } } as const;

/** The items of a wrapped list in a raw answer, e.g. `items(body, 'Snapshots', 'Snapshot')`. */
export const items = (body: Record<string, unknown>, outer: string, inner: string): Array<Record<string, unknown>> =>
  (body[outer] as Record<string, Array<Record<string, unknown>>>)[inner] ?? [];

/** Flattens a list of objects into the wire's `Prefix.N.Field` parameters. */
export const flatList = (prefix: string, entries: ReadonlyArray<Readonly<Record<string, string | number>>>): Record<string, string> =>
  Object.fromEntries(entries.flatMap((entry, i) => Object.entries(entry).map(([field, value]) => [`${prefix}.${i + 1}.${field}`, String(value)])));

/** Flattens a list of strings into `Prefix.N` parameters. */
export const flatValues = (prefix: string, values: readonly string[]): Record<string, string> =>
  Object.fromEntries(values.map((value, i) => [`${prefix}.${i + 1}`, value]));
