import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/core/domain/clock';
import { mayHaveRun } from '../../../shared/providers/huawei-ims/errors';
import { AGENCY, DEFAULT_SEED, DESTINATION, GOLDEN_ID, HW_CREDENTIALS, HW_STS, INIT_SECONDS, type ImsKit, SOURCE, rejection, startImsKit } from './ims-test-kit';

const COPY = { name: 'wire-copy', description: 'wire test', region: DESTINATION, project_name: DESTINATION, agency_name: AGENCY };

describe('IMS client over HTTP against the simulator', () => {
  let kit: ImsKit;
  beforeEach(async () => {
    kit = await startImsKit({ images: [...(DEFAULT_SEED.images ?? []), { region: SOURCE, name: 'bulk', sizeGiB: 1, count: 1201 }] });
  });
  afterEach(() => kit.close());

  it('follows marker paging to the last short page and asks for no page beyond it', async () => {
    // Act
    const images = await kit.client().listImages(kit.target(SOURCE), { imageType: 'private' }, 500);

    // Assess
    expect(images).toHaveLength(1205);
    expect(new Set(images.map((i) => i.id)).size).toBe(1205);
    const pages = kit.sim.requests.recent('ListImages');
    expect(pages.map((p) => p.params['query.marker'] === undefined)).toEqual([true, false, false]);
    expect(pages[1]?.params['query.marker']).toBe(images[499]?.id);
  });

  it('refuses a listing that would need more pages than allowed, with a clear error', async () => {
    // Act
    const error = await rejection(kit.client({ maxPages: 2 }).listImages(kit.target(SOURCE), {}, 100));

    // Assess
    expect(error).toMatchObject({ code: 'ImsTooManyPages', retryable: false });
    expect(kit.sim.requests.count('ListImages')).toBe(2);
  });

  it('filters by exact name, tag key=value, status and owner', async () => {
    // Act
    const images = await kit.client().listImages(kit.target(SOURCE), {
      imageType: 'private', name: 'golden-web', tag: { key: 'role', value: 'golden' }, status: 'active', owner: kit.target(SOURCE).projectId,
    });

    // Assess
    expect(images.map((i) => [i.id, i.tags])).toEqual([[GOLDEN_ID, ['role=golden']]]);
  });

  it('submits a copy, and ShowJob in the source region answers INIT then RUNNING with a fraction', async () => {
    // Prepare
    const client = kit.client();

    // Act
    const jobId = await client.crossRegionCopy(kit.target(SOURCE), GOLDEN_ID, COPY);
    const init = await client.showJob(kit.target(SOURCE), jobId);
    kit.clock.advanceSeconds(INIT_SECONDS + 562);
    const running = await client.showJob(kit.target(SOURCE), jobId);

    // Assess
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(init).toMatchObject({ job_id: jobId, job_type: 'imsCrossRegionCopyImageJob', status: 'INIT', end_time: '' });
    expect(running).toMatchObject({ status: 'RUNNING', entities: { process_percent: 0.5, image_name: 'wire-copy' } });
  });

  it('answers undefined for a job IMS does not know (404), and for a job asked in the wrong region', async () => {
    // Prepare
    const client = kit.client();
    const jobId = await client.crossRegionCopy(kit.target(SOURCE), GOLDEN_ID, COPY);

    // Act
    const unknown = await client.showJob(kit.target(SOURCE), 'f'.repeat(32));
    const elsewhere = await client.showJob(kit.target(DESTINATION), jobId);

    // Assess
    expect(unknown).toBeUndefined();
    expect(elsewhere).toBeUndefined();
  });

  it('adds tags with the batch action and deletes an image; an absent image is "absent"', async () => {
    // Prepare
    const client = kit.client();
    const target = kit.target(SOURCE);

    // Act
    await client.addTags(target, GOLDEN_ID, [{ key: 'tier', value: 'web' }]);
    const deleted = await client.deleteImage(target, GOLDEN_ID);
    kit.clock.advanceSeconds(3600);
    const again = await client.deleteImage(target, GOLDEN_ID);

    // Assess
    expect(kit.sim.requests.recent('BatchAddOrDeleteTags')[0]?.params['body.tags']).toBe('[{"key":"tier","value":"web"}]');
    expect(deleted).toBe('deleted');
    expect(again).toBe('absent');
  });

  it('shares images with another project and gets a job back', async () => {
    // Act
    const jobId = await kit.client().addMembers(kit.target(SOURCE), { images: [GOLDEN_ID], projects: ['c'.repeat(32)] });

    // Assess
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(kit.sim.inspect.image(GOLDEN_ID)?.members).toEqual(['c'.repeat(32)]);
  });

  it('sends the security token of temporary credentials, signed', async () => {
    // Act
    const images = await kit.client({ credentials: HW_STS }).listImages(kit.target(SOURCE), { id: GOLDEN_ID });

    // Assess
    expect(images).toHaveLength(1);
  });

  it('turns a wrong secret into a terminal APIGW.0301 that never contains the secret', async () => {
    // Prepare
    const secret = 'leaky-secret-value-123';

    // Act
    const error = await rejection(kit.client({ credentials: { ...HW_CREDENTIALS, accessKeySecret: secret } }).listImages(kit.target(SOURCE), {}));

    // Assess
    expect(error).toMatchObject({ code: 'APIGW.0301', retryable: false, details: { httpStatus: 401 } });
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(secret);
  });

  it('is refused by the gateway when its X-Sdk-Date is more than 15 minutes off', async () => {
    // Prepare
    const late = new ManualClock(new Date(Date.now() - 16 * 60_000));

    // Act
    const error = await rejection(kit.client({ clock: late }).listImages(kit.target(SOURCE), {}));

    // Assess
    expect(error).toMatchObject({ code: 'APIGW.0301', message: expect.stringContaining('x-sdk-date') });
  });

  it('classifies IMG.0149, throttling and 5xx (JSON or not) as retryable; a lost answer and a timeout as may-have-run', async () => {
    // Prepare: one try per call, so each fault is what the call answers
    const client = kit.client({ timeoutMs: 150, retry: { attempts: 1 } });
    const target = kit.target(SOURCE);
    const attempt = () => rejection(client.crossRegionCopy(target, GOLDEN_ID, COPY));
    kit.sim.inspect.setCopySettings({ maxRunningPerTenant: 0 });

    // Act
    const busy = await attempt();
    kit.sim.inspect.setCopySettings({ maxRunningPerTenant: 5 });
    kit.sim.faults.injectNext('CopyImageCrossRegion', 'throttle');
    const throttled = await attempt();
    kit.sim.faults.injectNext('CopyImageCrossRegion', 'serviceUnavailable');
    const unavailable = await attempt();
    kit.sim.faults.injectNext('CopyImageCrossRegion', 'lostAnswer');
    const lost = await attempt();
    kit.sim.faults.injectNext('CopyImageCrossRegion', 'noAnswer');
    const silent = await attempt();

    // Assess
    expect(busy).toMatchObject({ code: 'IMG.0149', retryable: true });
    expect(mayHaveRun(busy)).toBe(false);
    expect(throttled).toMatchObject({ code: 'APIGW.0308', retryable: true, details: { httpStatus: 429 } });
    expect(unavailable).toMatchObject({ code: 'Http503', retryable: true });
    expect(mayHaveRun(unavailable)).toBe(true);
    expect(lost).toMatchObject({ code: 'NetworkError', retryable: true });
    expect(mayHaveRun(lost)).toBe(true);
    expect(silent).toMatchObject({ code: 'Timeout', retryable: true });
    expect(mayHaveRun(silent)).toBe(true);
    // The lost and the silent calls both made copies.
    expect(kit.sim.inspect.copiesCreated(DESTINATION, 'wire-copy')).toBe(2);
  });

  it('says the request never left when nothing listens', async () => {
    // Prepare
    const port = kit.sim.port;
    await kit.sim.close();
    const client = kit.client({ endpointTemplate: `http://127.0.0.1:${port}/{region}` });

    // Act
    const error = await rejection(client.listImages(kit.target(SOURCE), {}));
    kit = await startImsKit();

    // Assess
    expect(error).toMatchObject({ code: 'NetworkError', retryable: true, details: { networkCode: 'ECONNREFUSED' } });
    expect(mayHaveRun(error)).toBe(false);
  });
});
