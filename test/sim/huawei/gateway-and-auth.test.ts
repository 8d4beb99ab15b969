import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImsSignatureVerifier } from '../../../sim/huawei/auth';
import { DESTINATION, GOLDEN_ID, HW_CREDENTIALS, HW_STS, type ImsKit, SOURCE, startImsKit } from '../../providers/huawei-ims/ims-test-kit';
import { rawRequest } from './raw-request';

describe('IMS simulator gateway: routing and SDK-HMAC-SHA256', () => {
  let kit: ImsKit;
  beforeEach(async () => {
    kit = await startImsKit();
  });
  afterEach(() => kit.close());

  it('verifies both SDK test vectors with its own, separate canonicalisation', () => {
    // Prepare
    const verifier = new ImsSignatureVerifier([{ accessKeyId: 'AK', accessKeySecret: 'SK' }], 15 * 60_000, () => Date.parse('2024-01-01T00:00:00Z'));
    const headers = { 'content-type': 'application/json', 'x-project-id': 'proj123', 'x-sdk-date': '20240101T000000Z', host: 'ims.cn-north-1.myhuaweicloud.com' };
    const signed = (signature: string) => `SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=${signature}`;
    const body = Buffer.from('{"name":"copy","region":"cn-north-4","project_name":"cn-north-4","agency_name":"ims_admin_agency"}');

    // Act
    const post = () => verifier.verify({ method: 'POST', rawUrl: '/v1/cloudimages/img-src/cross_region_copy', body, headers: { ...headers, authorization: signed('be45633b7bae39636b49b6b529fc55d29cff0423c39624404d6798c12e57ba0b') } });
    const get = () => verifier.verify({ method: 'GET', rawUrl: '/v2/cloudimages?__imagetype=private&status=active&limit=100', body: Buffer.alloc(0), headers: { ...headers, authorization: signed('e69fd58d1225e17a60d4ceb2a94a174c25b4e50092714157743435ed699a1188') } });

    // Assess
    expect(post).not.toThrow();
    expect(get).not.toThrow();
  });

  it('answers a wrong secret with 401 and the gateway\'s error shape', async () => {
    // Act
    const answer = await rawRequest(kit.sim, { region: SOURCE, path: '/v2/cloudimages', credentials: { ...HW_CREDENTIALS, accessKeySecret: 'wrong' } });

    // Assess
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail', request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('refuses a date more than 15 minutes from the server time, either way', async () => {
    // Act
    const late = await rawRequest(kit.sim, { region: SOURCE, path: '/v2/cloudimages', date: new Date(Date.now() - 16 * 60_000) });
    const early = await rawRequest(kit.sim, { region: SOURCE, path: '/v2/cloudimages', date: new Date(Date.now() + 16 * 60_000) });
    const fine = await rawRequest(kit.sim, { region: SOURCE, path: '/v2/cloudimages', date: new Date(Date.now() - 14 * 60_000) });

    // Assess
    expect([late.status, early.status, fine.status]).toEqual([401, 401, 200]);
  });

  it('wants the security token of a temporary AK, and only that token', async () => {
    // Act
    const ok = await rawRequest(kit.sim, { region: SOURCE, path: '/v2/cloudimages', credentials: HW_STS });
    const missing = await rawRequest(kit.sim, { region: SOURCE, path: '/v2/cloudimages', credentials: { accessKeyId: HW_STS.accessKeyId, accessKeySecret: HW_STS.accessKeySecret } });
    const foreign = await rawRequest(kit.sim, { region: SOURCE, path: '/v2/cloudimages', credentials: { ...HW_STS, securityToken: 'another' } });

    // Assess
    expect([ok.status, missing.status, foreign.status]).toEqual([200, 401, 401]);
  });

  it('refuses the project of another region, in the header and in the path', async () => {
    // Act
    const header = await rawRequest(kit.sim, { region: SOURCE, path: '/v2/cloudimages', projectId: kit.sim.projectIds[DESTINATION] });
    const path = await rawRequest(kit.sim, { region: SOURCE, path: `/v1/${kit.sim.projectIds[DESTINATION] ?? ''}/jobs/${'a'.repeat(32)}` });

    // Assess
    expect(header).toMatchObject({ status: 401, json: { error_code: 'APIGW.0301' } });
    expect(path).toMatchObject({ status: 400, json: { error: { code: 'IMG.0067' } } });
  });

  it('routes by the real endpoint\'s Host as well as by the /{region} prefix', async () => {
    // Act
    const byHost = await rawRequest(kit.sim, { region: SOURCE, path: '/v2/cloudimages', query: { id: GOLDEN_ID }, hostForm: true });
    const byPath = await rawRequest(kit.sim, { region: SOURCE, path: '/v2/cloudimages', query: { id: GOLDEN_ID } });

    // Assess
    expect(byHost.status).toBe(200);
    expect(byHost.json.images).toEqual(byPath.json.images);
    expect(kit.sim.requests.recent('ListImages').map((r) => r.params.region)).toEqual([SOURCE, SOURCE]);
  });

  it('answers an unknown API or region with APIGW.0101', async () => {
    // Act
    const api = await rawRequest(kit.sim, { region: SOURCE, path: '/v3/nothing' });
    const region = await rawRequest(kit.sim, { region: 'xx-nowhere-1', path: '/v2/cloudimages' });

    // Assess
    expect(api).toMatchObject({ status: 404, json: { error_code: 'APIGW.0101' } });
    expect(region).toMatchObject({ status: 404, json: { error_code: 'APIGW.0101' } });
  });
});
