import { describe, expect, it } from 'vitest';
import { EMPTY_PAYLOAD_SHA256, canonicalQueryString, canonicalRequest, canonicalUri, sdkDate, signRequest } from '../../../shared/providers/huawei-ims/signer';

/** The vectors of the IMS notes §3, computed with the SDK core's own AKSKSigner. */
const VECTOR_HEADERS = {
  'Content-Type': 'application/json',
  'X-Project-Id': 'proj123',
  'X-Sdk-Date': '20240101T000000Z',
  host: 'ims.cn-north-1.myhuaweicloud.com',
};
const KEY = { accessKeyId: 'AK', secret: 'SK' };

describe('SDK-HMAC-SHA256 signer', () => {
  it('reproduces the SDK signature of a cross-region copy POST byte for byte', () => {
    // Prepare
    const body = '{"name":"copy","region":"cn-north-4","project_name":"cn-north-4","agency_name":"ims_admin_agency"}';

    // Act
    const signed = signRequest({ method: 'POST', path: '/v1/cloudimages/img-src/cross_region_copy', query: {}, headers: VECTOR_HEADERS, body }, KEY);

    // Assess
    expect(signed.authorization).toBe(
      'SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=be45633b7bae39636b49b6b529fc55d29cff0423c39624404d6798c12e57ba0b',
    );
  });

  it('reproduces the SDK signature of a ListImages GET with a query and no body', () => {
    // Prepare
    const query = { __imagetype: 'private', status: 'active', limit: '100' };

    // Act
    const signed = signRequest({ method: 'GET', path: '/v2/cloudimages', query, headers: VECTOR_HEADERS }, KEY);

    // Assess
    expect(signed.signature).toBe('e69fd58d1225e17a60d4ceb2a94a174c25b4e50092714157743435ed699a1188');
    expect(signed.signedHeaders).toBe('content-type;host;x-project-id;x-sdk-date');
  });

  it('hashes an absent body as the empty string and appends the trailing slash to the URI only', () => {
    // Act
    const { text } = canonicalRequest({ method: 'get', path: '/v2/cloudimages', query: {}, headers: { 'X-Sdk-Date': '20240101T000000Z' } });

    // Assess
    expect(text.split('\n')).toEqual(['GET', '/v2/cloudimages/', '', 'x-sdk-date:20240101T000000Z', '', 'x-sdk-date', EMPTY_PAYLOAD_SHA256]);
  });

  it('encodes like the SDK: only unreserved characters stay, query keys and repeated values sorted', () => {
    // Act
    const query = canonicalQueryString({ tag: 'image-replicator_managed=true', name: "golden (web)*!'", b: ['2', '1'] });
    const uri = canonicalUri('/cn-north-4/v2/a b');

    // Assess
    expect(query).toBe('b=1&b=2&name=golden%20%28web%29%2A%21%27&tag=image-replicator_managed%3Dtrue');
    expect(uri).toBe('/cn-north-4/v2/a%20b/');
  });

  it('signs a temporary credential\'s security token along with the other headers', () => {
    // Act
    const signed = signRequest({ method: 'GET', path: '/v2/cloudimages', query: {}, headers: { ...VECTOR_HEADERS, 'X-Security-Token': 'token' } }, KEY);

    // Assess
    expect(signed.signedHeaders).toBe('content-type;host;x-project-id;x-sdk-date;x-security-token');
  });

  it('formats X-Sdk-Date as YYYYMMDDTHHmmssZ in UTC', () => {
    expect(sdkDate(new Date('2026-11-20T08:05:09.123+02:00'))).toBe('20261120T060509Z');
  });

  it('refuses to sign without X-Sdk-Date', () => {
    expect(() => signRequest({ method: 'GET', path: '/', query: {}, headers: {} }, KEY)).toThrow(/X-Sdk-Date/);
  });
});
