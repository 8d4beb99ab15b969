import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DESTINATION, GOLDEN_ID, type ImsKit, SOURCE, rejection, startImsKit } from '../../providers/huawei-ims/ims-test-kit';
import { rawRequest } from './raw-request';

describe('IMS simulator: ListImages', () => {
  let kit: ImsKit;
  beforeEach(async () => {
    kit = await startImsKit({
      images: [
        { region: SOURCE, id: GOLDEN_ID, name: 'golden-web', sizeGiB: 10, tags: { role: 'golden' }, createdAt: '2026-11-19T00:00:00Z' },
        { region: SOURCE, name: 'page', sizeGiB: 1, count: 7, createdAt: '2026-11-10T00:00:00Z' },
        { region: SOURCE, name: 'CentOS 7.3 64bit', sizeGiB: 1, imageType: 'gold' },
        { region: DESTINATION, name: 'elsewhere', sizeGiB: 1 },
      ],
    });
  });
  afterEach(() => kit.close());

  const list = (query: Record<string, string>, region = SOURCE) => rawRequest(kit.sim, { region, path: '/v2/cloudimages', query });
  const names = (answer: { json: Record<string, unknown> }) => (answer.json.images as Array<{ name: string }>).map((i) => i.name);

  it('lists newest first and pages with marker = the last id, without a next link', async () => {
    // Act
    const first = await list({ __imagetype: 'private', limit: '3' });
    const ids = (first.json.images as Array<{ id: string }>).map((i) => i.id);
    const second = await list({ __imagetype: 'private', limit: '3', marker: ids[2] ?? '' });

    // Assess
    expect(names(first)).toEqual(['golden-web', 'page-7', 'page-6']);
    expect(names(second)).toEqual(['page-5', 'page-4', 'page-3']);
    expect(Object.keys(first.json)).toEqual(['images']);
  });

  it('answers the documented image fields: __image_size in bytes as a string, tags as key=value, __description', async () => {
    // Act
    const answer = await list({ id: GOLDEN_ID });

    // Assess
    expect(answer.json.images).toEqual([
      expect.objectContaining({ id: GOLDEN_ID, status: 'active', __imagetype: 'private', visibility: 'private', owner: kit.sim.projectIds[SOURCE], __image_size: '10737418240', min_disk: 40, tags: ['role=golden'], created_at: '2026-11-19T00:00:00Z' }),
    ]);
  });

  it('filters by name (exact), tag, status, owner, type and creation time', async () => {
    // Act
    const byName = await list({ name: 'page-1' });
    const notPrefix = await list({ name: 'page' });
    const byTag = await list({ tag: 'role=golden' });
    const byType = await list({ __imagetype: 'gold' });
    const byOwner = await list({ owner: kit.sim.projectIds[SOURCE] ?? '' });
    const recent = await list({ created_at: 'gte:2026-11-18T00:00:00Z', __imagetype: 'private' });

    // Assess
    expect(names(byName)).toEqual(['page-1']);
    expect(names(notPrefix)).toEqual([]);
    expect(names(byTag)).toEqual(['golden-web']);
    expect(names(byType)).toEqual(['CentOS 7.3 64bit']);
    expect(names(byOwner)).toHaveLength(8);
    expect(names(recent)).toEqual(['golden-web']);
  });

  it('shows a region only its own images', async () => {
    expect(names(await list({ __imagetype: 'private' }, DESTINATION))).toEqual(['elsewhere']);
  });

  it('refuses a limit out of range and a marker that is no image', async () => {
    // Act
    const limit = await list({ limit: '5000' });
    const marker = await list({ marker: '00000000-0000-4000-8000-000000000000' });

    // Assess
    expect(limit).toMatchObject({ status: 400, json: { error: { code: 'IMG.0001' } } });
    expect(marker).toMatchObject({ status: 400, json: { error: { code: 'IMG.0027' } } });
  });

  it('meets seeded faults per operation: throttled ListImages, untouched ShowJob', async () => {
    // Prepare: one try per call, so each request the simulator sees is one call
    kit.sim.faults.setActionRates('ListImages', { throttle: 1 });

    // Act
    const error = await rejection(kit.client({ retry: { attempts: 1 } }).listImages(kit.target(SOURCE), {}));
    const job = await kit.client().showJob(kit.target(SOURCE), 'a'.repeat(32));

    // Assess
    expect(error).toMatchObject({ code: 'APIGW.0308', retryable: true });
    expect(job).toBeUndefined();
    expect(kit.sim.faults.counts().throttle).toBe(1);
  });

  it('delays answers by the seeded latency, long enough for a client timeout', async () => {
    // Prepare
    kit.sim.faults.setActionRates('ListImages', { latencyMs: 400 });

    // Act
    const error = await rejection(kit.client({ timeoutMs: 50 }).listImages(kit.target(SOURCE), {}));

    // Assess
    expect(error).toMatchObject({ code: 'Timeout', retryable: true });
    expect(kit.sim.faults.counts().latency).toBe(1);
  });
});
