import OpenApi, { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { z } from 'zod';
import { type AlibabaCredentialSource, sdkCredential, secretsOf } from '../../shared/providers/alibaba-ecs/credentials';
import { toEcsError } from '../../shared/providers/alibaba-ecs/errors';
import { ECS_API_VERSION, type EcsEndpointOverride } from '../../shared/providers/alibaba-ecs/image-cloud';
import { rpcParams } from '../../shared/providers/alibaba-ecs/rpc';

const ACTION = 'DescribeRegions';
/** Any region answers DescribeRegions for the whole account. */
const ASKED_REGION = 'cn-hangzhou';
const TIMEOUT_MS = 10_000;

const Answer = z.object({
  body: z.object({ Regions: z.object({ Region: z.array(z.object({ RegionId: z.string().min(1) }).loose()) }) }).loose(),
});

/**
 * The ECS regions this account may use, from DescribeRegions. The ECS image client
 * (shared/providers/alibaba-ecs/image-cloud.ts) calls only the image actions, so this one call is
 * made here with the same SDK, signing and error translation; the provider could expose it.
 */
export const describeAlibabaRegions = async (options: { credentials: AlibabaCredentialSource; endpoint?: EcsEndpointOverride | undefined }): Promise<Set<string>> => {
  const client = new OpenApi(
    new $OpenApiUtil.Config({
      credential: sdkCredential(options.credentials),
      regionId: ASKED_REGION,
      endpoint: options.endpoint?.endpoint ?? `ecs.${ASKED_REGION}.aliyuncs.com`,
      protocol: options.endpoint?.protocol ?? 'https',
      readTimeout: TIMEOUT_MS,
      connectTimeout: TIMEOUT_MS,
    }),
  );
  try {
    const response: unknown = await client.callApi(rpcParams(ACTION, ECS_API_VERSION), new $OpenApiUtil.OpenApiRequest({ query: { RegionId: ASKED_REGION } }), new $dara.RuntimeOptions({}));
    return new Set(Answer.parse(response).body.Regions.Region.map((region) => region.RegionId));
  } catch (error) {
    throw toEcsError(error, { action: ACTION, region: ASKED_REGION, secrets: secretsOf(options.credentials) });
  }
};
