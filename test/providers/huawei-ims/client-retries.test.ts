import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/core/domain/clock';
import { IMS_RETRY_ATTEMPTS, IMS_RETRY_BASE_DELAY_MS } from '../../../shared/providers/huawei-ims/client';
import { mayHaveRun } from '../../../shared/providers/huawei-ims/errors';
import { AGENCY, DESTINATION, GOLDEN_ID, type ImsKit, SOURCE, rejection, startImsKit } from './ims-test-kit';

const COPY = { name: 'retry-copy', description: 'retry test', region: DESTINATION, project_name: DESTINATION, agency_name: AGENCY };

/** A fetch whose first call fails as a refused connection would (the request never left), then the real one. */
const refusedOnce = (): typeof fetch => {
  let refused = false;
  return (input, init) => {
    if (!refused) {
      refused = true;
      return Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) }));
    }
    return fetch(input, init);
  };
};

describe('IMS client retries, against the simulator', () => {
  let kit: ImsKit;
  beforeEach(async () => {
    kit = await startImsKit();
  });
  afterEach(() => kit.close());

  it('tries a throttled listing again after a back-off, and answers the listing', async () => {
    // Prepare
    kit.sim.faults.injectNext('ListImages', 'throttle');

    // Act
    const images = await kit.client().listImages(kit.target(SOURCE), { name: 'golden-web' });

    // Assess
    expect(images.map((image) => image.id)).toEqual([GOLDEN_ID]);
    expect(kit.sim.requests.count('ListImages')).toBe(2);
    expect(kit.pauses).toHaveLength(1);
    expect(kit.pauses[0]).toBeGreaterThanOrEqual(IMS_RETRY_BASE_DELAY_MS / 2);
    expect(kit.pauses[0]).toBeLessThanOrEqual(IMS_RETRY_BASE_DELAY_MS);
  });

  it('tries a job query that met a 5xx again', async () => {
    // Prepare
    const client = kit.client();
    const jobId = await client.crossRegionCopy(kit.target(SOURCE), GOLDEN_ID, COPY);
    kit.sim.faults.injectNext('ShowJob', 'serviceUnavailable');

    // Act
    const job = await client.showJob(kit.target(SOURCE), jobId);

    // Assess
    expect(job).toMatchObject({ job_id: jobId, status: 'INIT' });
    expect(kit.sim.requests.count('ShowJob')).toBe(2);
  });

  it('gives up after its attempts when throttling lasts, with growing waits', async () => {
    // Prepare
    kit.sim.faults.injectNext('ListImages', 'throttle', IMS_RETRY_ATTEMPTS);

    // Act
    const error = await rejection(kit.client().listImages(kit.target(SOURCE), {}));

    // Assess
    expect(error).toMatchObject({ code: 'APIGW.0308', retryable: true });
    expect(kit.sim.requests.count('ListImages')).toBe(IMS_RETRY_ATTEMPTS);
    expect(kit.pauses).toHaveLength(IMS_RETRY_ATTEMPTS - 1);
    expect(kit.pauses[1]).toBeGreaterThanOrEqual(IMS_RETRY_BASE_DELAY_MS);
  });

  it('starts no try once the request\'s own timeout has passed since the first', async () => {
    // Prepare: each try takes the whole request timeout on the client's clock
    const clock = new ManualClock(new Date());
    const slow: typeof fetch = (input, init) => {
      clock.advance(2_000);
      return fetch(input, init);
    };
    kit.sim.faults.injectNext('ListImages', 'throttle', IMS_RETRY_ATTEMPTS);

    // Act
    const error = await rejection(kit.client({ clock, fetch: slow, timeoutMs: 2_000 }).listImages(kit.target(SOURCE), {}));

    // Assess
    expect(error).toMatchObject({ code: 'APIGW.0308', retryable: true });
    expect(kit.sim.requests.count('ListImages')).toBe(1);
    expect(kit.pauses).toEqual([]);
  });

  it('does not send a copy again when its answer was lost: IMS may have made it', async () => {
    // Prepare
    kit.sim.faults.injectNext('CopyImageCrossRegion', 'lostAnswer');

    // Act
    const error = await rejection(kit.client().crossRegionCopy(kit.target(SOURCE), GOLDEN_ID, COPY));

    // Assess
    expect(error).toMatchObject({ code: 'NetworkError' });
    expect(mayHaveRun(error)).toBe(true);
    expect(kit.sim.requests.count('CopyImageCrossRegion')).toBe(1);
    expect(kit.sim.inspect.copiesCreated(DESTINATION, COPY.name)).toBe(1);
    expect(kit.pauses).toEqual([]);
  });

  it('does not send a copy again after a 5xx: IMS may have made it', async () => {
    // Prepare
    kit.sim.faults.injectNext('CopyImageCrossRegion', 'internalError');

    // Act
    const error = await rejection(kit.client().crossRegionCopy(kit.target(SOURCE), GOLDEN_ID, COPY));

    // Assess
    expect(error).toMatchObject({ code: 'IMG.0061' });
    expect(kit.sim.requests.count('CopyImageCrossRegion')).toBe(1);
    expect(kit.pauses).toEqual([]);
  });

  it('sends a throttled copy again: the gateway refused it before IMS acted, and one copy is made', async () => {
    // Prepare
    kit.sim.faults.injectNext('CopyImageCrossRegion', 'throttle');

    // Act
    const jobId = await kit.client().crossRegionCopy(kit.target(SOURCE), GOLDEN_ID, COPY);

    // Assess
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(kit.sim.requests.count('CopyImageCrossRegion')).toBe(2);
    expect(kit.sim.inspect.copiesCreated(DESTINATION, COPY.name)).toBe(1);
  });

  it('sends a copy again when the connection was refused: the request never left', async () => {
    // Prepare
    const client = kit.client({ fetch: refusedOnce() });

    // Act
    const jobId = await client.crossRegionCopy(kit.target(SOURCE), GOLDEN_ID, COPY);

    // Assess
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(kit.sim.requests.count('CopyImageCrossRegion')).toBe(1);
    expect(kit.sim.inspect.copiesCreated(DESTINATION, COPY.name)).toBe(1);
    expect(kit.pauses).toHaveLength(1);
  });

  it('does not ask again for a listing whose answer never came: the request\'s time is spent', async () => {
    // Prepare
    kit.sim.faults.injectNext('ListImages', 'noAnswer');

    // Act
    const error = await rejection(kit.client({ timeoutMs: 150 }).listImages(kit.target(SOURCE), {}));

    // Assess
    expect(error).toMatchObject({ code: 'Timeout' });
    expect(kit.sim.requests.count('ListImages')).toBe(1);
  });

  it('deletes once and calls an image gone by a retry absent, not an error', async () => {
    // Prepare
    const target = kit.target(SOURCE);
    const image = kit.sim.inspect.addImage({ region: SOURCE, name: 'to-delete', sizeGiB: 1 });
    kit.sim.faults.injectNext('GlanceDeleteImage', 'lostAnswer');

    // Act
    const outcome = await kit.client().deleteImage(target, image.id);

    // Assess
    expect(outcome).toBe('absent');
    expect(kit.sim.requests.count('GlanceDeleteImage')).toBe(2);
    expect(kit.sim.inspect.image(image.id)?.deletedAt).toEqual(expect.any(Number));
  });
});
