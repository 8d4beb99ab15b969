import { afterEach, describe, expect, it } from 'vitest';
import { ImageState } from '../../../shared/core/domain/image';
import { ImsClient } from '../../../shared/providers/huawei-ims/client';
import { encodeHandle } from '../../../shared/providers/huawei-ims/handle';
import { HuaweiImsCopyProvider } from '../../../shared/providers/huawei-ims/huawei-copy-provider';
import { DESTINATION, HW_CREDENTIALS, SOURCE, copyRequest, inFlight, rejection } from './ims-test-kit';
import { type ScriptedAnswer, type ScriptedServer, startScriptedServer } from './scripted-server';

const PROJECTS = { [SOURCE]: 'a'.repeat(32), [DESTINATION]: 'b'.repeat(32) };
const JOB = 'c'.repeat(32);

const jobBody = (overrides: Record<string, unknown>): string =>
  JSON.stringify({ job_id: JOB, job_type: 'imsCrossRegionCopyImageJob', status: 'RUNNING', begin_time: '', end_time: '', error_code: null, fail_reason: null, entities: { process_percent: 0.5 }, ...overrides });

describe('the Huawei provider and client on undocumented or hostile answers', () => {
  let server: ScriptedServer | undefined;
  afterEach(() => server?.close());

  const serve = async (answer: (url: string) => ScriptedAnswer) => {
    server = await startScriptedServer((request) => answer(request.url ?? ''));
    const options = { credentials: HW_CREDENTIALS, endpointTemplate: server.endpointTemplate, projectIds: PROJECTS, agencyName: 'agency' };
    return { provider: new HuaweiImsCopyProvider({ account: 'a', ...options }), client: new ImsClient(options) };
  };

  const observeWith = async (job: string) => {
    const { provider } = await serve((url) => (url.includes('/jobs/') ? { status: 200, body: job } : { status: 200, body: '{"images":[]}' }));
    const copy = inFlight(copyRequest(), encodeHandle({ imsJobId: JOB, sourceRegion: SOURCE, destinationRegion: DESTINATION }));
    return (await provider.observeCopies([copy])).get(copy.jobId);
  };

  it('does not guess at a job status IMS never documented: unobserved, not retryable, naming the field', async () => {
    // Act
    const seen = await observeWith(jobBody({ status: 'PAUSED' }));

    // Assess
    expect(seen).toMatchObject({ state: 'unobserved', retryable: false, code: 'ImsUnexpectedResponse', message: expect.stringContaining('status') });
  });

  it('refuses a progress given as a percentage instead of a fraction', async () => {
    // Act
    const seen = await observeWith(jobBody({ entities: { process_percent: 40 } }));

    // Assess
    expect(seen).toMatchObject({ state: 'unobserved', code: 'ImsUnexpectedResponse', message: expect.stringContaining('entities.process_percent') });
  });

  it.each([
    ['an end before its begin', '2026-11-01T01:00:00Z', '2026-11-01T00:00:00Z'],
    ['times that are not times', 'yesterday', '2026-13-45T99:99:99Z'],
    ['no end', '2026-11-01T00:00:00Z', ''],
  ])('reports a SUCCESS job with %s as available, with no copy time', async (_name, begin, end) => {
    // Act
    const seen = await observeWith(jobBody({ status: 'SUCCESS', begin_time: begin, end_time: end, entities: { image_id: 'd'.repeat(32) } }));

    // Assess
    expect(seen).toMatchObject({ state: 'available', imageId: 'd'.repeat(32) });
    expect(seen?.state === 'available' ? seen.copySeconds : 'not available').toBeUndefined();
  });

  it('calls an unreadable copy answer unknown: the copy may have started', async () => {
    // Prepare
    const { provider } = await serve((url) => (url.includes('/cross_region_copy') ? { status: 200, body: '<html>ok</html>', contentType: 'text/html' } : { status: 200, body: '{"images":[]}' }));

    // Act
    const result = await provider.startCopy(copyRequest());

    // Assess
    expect(result).toMatchObject({ kind: 'unknown', code: 'ImsUnexpectedResponse', message: expect.stringContaining('not JSON') });
  });

  it('redacts the secret when an error answer echoes it, and bounds the message', async () => {
    // Prepare
    const echo = `${HW_CREDENTIALS.accessKeySecret} ${'x'.repeat(2000)}`;
    const { client } = await serve(() => ({ status: 400, body: JSON.stringify({ error: { code: 'IMG.0001', message: echo } }) }));

    // Act
    const error = await rejection(client.listImages({ region: SOURCE, projectId: PROJECTS[SOURCE] }, {}));

    // Assess
    expect(error.message).not.toContain(HW_CREDENTIALS.accessKeySecret);
    expect(error.message).toContain('[redacted]');
    expect(error.message.length).toBeLessThan(500);
  });

  it('refuses an answer larger than its bound instead of buffering it', async () => {
    // Prepare
    const { client } = await serve(() => ({ status: 200, body: `{"images":[${'"x",'.repeat(3_000_000)}"x"]}` }));

    // Act
    const error = await rejection(client.listImages({ region: SOURCE, projectId: PROJECTS[SOURCE] }, {}));

    // Assess
    expect(error).toMatchObject({ code: 'ImsUnexpectedResponse', message: expect.stringContaining('larger than') });
  });

  it('does not follow a redirect with its signed request', async () => {
    // Prepare
    const { client } = await serve(() => ({ status: 302, body: '' }));

    // Act
    const error = await rejection(client.listImages({ region: SOURCE, projectId: PROJECTS[SOURCE] }, {}));

    // Assess
    expect(error).toMatchObject({ code: 'Http302', retryable: false });
    expect(server?.seen).toHaveLength(1);
  });

  it('maps an image status IMS may add later to unavailable rather than failing the listing', async () => {
    // Prepare
    const image = { id: 'd0d2e701-dfc4-4520-9247-f92907f38eb0', name: 'odd', status: 'pending_delete', tags: ['a=b'], __image_size: '1073741824' };
    const { provider } = await serve(() => ({ status: 200, body: JSON.stringify({ images: [image] }) }));

    // Act
    const images = await provider.listImages(SOURCE, { states: [ImageState.Unavailable] });

    // Assess
    expect(images).toMatchObject([{ name: 'odd', state: ImageState.Unavailable, sizeGiB: 1, tags: { a: 'b' } }]);
  });

  it('puts no hostile region or id into a URL: refused before any request', async () => {
    // Prepare
    const { client } = await serve(() => ({ status: 200, body: '{"images":[]}' }));

    // Act
    const region = await rejection(client.listImages({ region: 'cn-north-4.evil.com#', projectId: PROJECTS[SOURCE] }, {}));
    const image = await rejection(client.deleteImage({ region: SOURCE, projectId: PROJECTS[SOURCE] }, '../../v3/projects'));
    const project = await rejection(client.showJob({ region: SOURCE, projectId: '../x' }, JOB));

    // Assess
    expect(region).toMatchObject({ code: 'HuaweiInvalidRegion', message: expect.stringContaining('no request was made') });
    expect(image).toMatchObject({ code: 'HuaweiInvalidId' });
    expect(project).toMatchObject({ code: 'HuaweiInvalidId' });
    expect(server?.seen).toEqual([]);
  });

  it('does not take the gateway\'s "no such API" 404 for an absent image or an unknown job', async () => {
    // Prepare
    const { client } = await serve(() => ({ status: 404, body: JSON.stringify({ error_code: 'APIGW.0101', error_msg: 'The API does not exist', request_id: 'r' }) }));
    const target = { region: SOURCE, projectId: PROJECTS[SOURCE] };

    // Act
    const deleting = await rejection(client.deleteImage(target, 'd0d2e701-dfc4-4520-9247-f92907f38eb0'));
    const job = await rejection(client.showJob(target, JOB));

    // Assess
    expect(deleting).toMatchObject({ code: 'APIGW.0101', retryable: false });
    expect(job).toMatchObject({ code: 'APIGW.0101' });
  });
});
