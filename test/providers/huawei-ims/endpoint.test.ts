import { describe, expect, it } from 'vitest';
import { DEFAULT_ENDPOINT_TEMPLATE, endpointResolver } from '../../../shared/providers/huawei-ims/endpoint';

describe('IMS endpoints from a {region} template', () => {
  it('resolves the real endpoint by default', () => {
    expect(endpointResolver().forRegion('cn-north-4')).toEqual({ origin: 'https://ims.cn-north-4.myhuaweicloud.com', basePath: '', host: 'ims.cn-north-4.myhuaweicloud.com' });
    expect(DEFAULT_ENDPOINT_TEMPLATE).toBe('https://ims.{region}.myhuaweicloud.com');
  });

  it('sends every region to one local server with the region as the first path segment', () => {
    expect(endpointResolver('http://127.0.0.1:8124/{region}').forRegion('eu-west-101')).toEqual({
      origin: 'http://127.0.0.1:8124',
      basePath: '/eu-west-101',
      host: '127.0.0.1:8124',
    });
  });

  it.each(['cn-north-4.evil.com', 'cn-north-4/../x', 'CN-NORTH-4', 'cn-north-4?x=1', '', 'cn-north-4 ', 'cn-north-4#'])(
    'refuses %j as a region before building any URL',
    (region) => {
      expect(() => endpointResolver().forRegion(region)).toThrow(/not a Huawei region id.*no request was made/);
    },
  );

  it.each(['https://ims.myhuaweicloud.com', 'https://{region}.{region}.x', 'ftp://{region}.x', 'https://u:p@{region}.x', 'https://{region}.x/?a=b', 'not a url {region}'])(
    'refuses the template %j',
    (template) => {
      expect(() => endpointResolver(template)).toThrow(/template/);
    },
  );
});
