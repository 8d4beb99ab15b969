import { $OpenApiUtil } from '@alicloud/openapi-core';

/**
 * How an Alibaba RPC-style action travels: POST /, parameters in the query, JSON back, signed with
 * the AccessKey (ACS3). The generic `callApi` needs this for every call; it is the same for every
 * RPC product (ECS, MNS's OpenAPI), only the action and version differ.
 */
export const rpcParams = (action: string, version: string): $OpenApiUtil.Params =>
  new $OpenApiUtil.Params({
    action,
    version,
    protocol: 'HTTPS',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
