import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrossRegionCopyBody, ImsClient } from '../../../shared/providers/huawei-ims/client';
import {
  AGENCY,
  BIG_ID,
  COPY_SECONDS,
  DESTINATION,
  ENCRYPTED_ID,
  FAR,
  GOLDEN_ID,
  HUGE_ID,
  INIT_SECONDS,
  type ImsKit,
  SOURCE,
  rejection,
  startImsKit,
} from '../../providers/huawei-ims/ims-test-kit';

const body = (overrides: Partial<CrossRegionCopyBody> = {}): CrossRegionCopyBody => ({
  name: 'sim-copy', description: 'd', region: DESTINATION, project_name: DESTINATION, agency_name: AGENCY, ...overrides,
});

describe('IMS simulator: cross-region copy jobs', () => {
  let kit: ImsKit;
  let client: ImsClient;
  beforeEach(async () => {
    kit = await startImsKit({ copy: { bandwidthMiBps: 10, overheadSeconds: 100, initSeconds: INIT_SECONDS, pairBandwidthMiBps: [{ from: SOURCE, to: FAR, bandwidthMiBps: 5 }] } });
    client = kit.client();
  });
  afterEach(() => kit.close());

  const copy = (imageId = GOLDEN_ID, overrides: Partial<CrossRegionCopyBody> = {}) => client.crossRegionCopy(kit.target(SOURCE), imageId, body(overrides));
  const imageOf = (jobId: string) => kit.sim.inspect.image(kit.sim.inspect.job(jobId)?.copy?.destinationImageId ?? '');

  it('runs INIT, then RUNNING for overhead plus size over bandwidth, then SUCCESS with the image active', async () => {
    // Prepare
    const jobId = await copy();

    // Act
    const states: string[] = [];
    for (const seconds of [0, INIT_SECONDS, COPY_SECONDS - 1, 1]) {
      kit.clock.advanceSeconds(seconds);
      states.push(`${kit.sim.inspect.job(jobId)?.status}/${imageOf(jobId)?.status}`);
    }

    // Assess
    expect(states).toEqual(['INIT/queued', 'RUNNING/saving', 'RUNNING/saving', 'SUCCESS/active']);
    const job = await client.showJob(kit.target(SOURCE), jobId);
    expect(job).toMatchObject({ status: 'SUCCESS', entities: { image_id: imageOf(jobId)?.id, process_percent: 1 }, end_time: '2026-11-20T08:19:14.000Z' });
  });

  it('takes longer on a slow region pair, as the seed says', async () => {
    // Prepare
    const near = await copy();
    const far = await copy(GOLDEN_ID, { region: FAR, project_name: FAR });

    // Act
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);

    // Assess
    expect(kit.sim.inspect.job(near)?.status).toBe('SUCCESS');
    expect(kit.sim.inspect.job(far)?.status).toBe('RUNNING');
    kit.clock.advanceSeconds(1024);
    expect(kit.sim.inspect.job(far)?.status).toBe('SUCCESS');
  });

  it('refuses a sixth running copy of the tenant with IMG.0149 and takes one again when a copy ends', async () => {
    // Prepare
    for (let i = 0; i < 5; i += 1) await copy(GOLDEN_ID, { name: `c${i}` });

    // Act
    const sixth = await rejection(copy(GOLDEN_ID, { name: 'c5' }));
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);
    const later = await copy(GOLDEN_ID, { name: 'c5' });

    // Assess
    expect(sixth).toMatchObject({ code: 'IMG.0149', details: { httpStatus: 400 } });
    expect(later).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses a copy into a region holding its image quota with IMG.0015, and takes it once an image is deleted', async () => {
    // Prepare
    const kept = await copy(GOLDEN_ID, { name: 'c0' });
    kit.sim.inspect.setCopySettings({ imageQuotaPerRegion: 1 });

    // Act
    const refused = await rejection(copy(GOLDEN_ID, { name: 'c1' }));
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);
    await client.deleteImage(kit.target(DESTINATION), imageOf(kept)?.id ?? '');
    const later = await copy(GOLDEN_ID, { name: 'c1' });

    // Assess
    expect(refused).toMatchObject({ code: 'IMG.0015', details: { httpStatus: 400 } });
    expect(later).toMatch(/^[0-9a-f]{32}$/);
  });

  it('makes a second image for a repeated request: no deduplication without a token', async () => {
    // Act
    const first = await copy();
    const second = await copy();

    // Assess
    expect(first).not.toBe(second);
    expect(kit.sim.inspect.images(DESTINATION).map((i) => i.name)).toEqual(['sim-copy', 'sim-copy']);
    expect(kit.sim.inspect.copiesCreated(DESTINATION, 'sim-copy')).toBe(2);
  });

  it('ends a seeded failing copy FAIL part-way with an error code and a killed image', async () => {
    // Prepare
    kit.sim.faults.configure({ copyFailureProbability: 1 });
    const jobId = await copy();

    // Act
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);
    const job = await client.showJob(kit.target(SOURCE), jobId);

    // Assess
    expect(job).toMatchObject({ status: 'FAIL', error_code: 'IMG.0014', fail_reason: expect.stringMatching(/failed at \d+%/) });
    expect(job?.entities?.process_percent).toBeLessThan(1);
    expect(imageOf(jobId)?.status).toBe('killed');
    expect(kit.sim.faults.counts().copyFailure).toBe(1);
  });

  it('keeps a stalled copy RUNNING at a frozen fraction forever', async () => {
    // Prepare
    const jobId = await copy();
    kit.clock.advanceSeconds(INIT_SECONDS + 300);
    kit.sim.inspect.stallJob(jobId);

    // Act
    const before = await client.showJob(kit.target(SOURCE), jobId);
    kit.clock.advanceSeconds(365 * 86_400);
    const after = await client.showJob(kit.target(SOURCE), jobId);

    // Assess
    expect(after).toMatchObject({ status: 'RUNNING', entities: { process_percent: before?.entities?.process_percent } });
  });

  it('refuses what IMS refuses, with its codes', async () => {
    // Prepare
    kit.sim.inspect.setAgency({ name: 'other_agency' });
    const codes = async (attempt: Promise<unknown>) => (await rejection(attempt)).code;

    // Act
    const agency = await codes(copy());
    kit.sim.inspect.setAgency({ name: AGENCY });
    const results = {
      sameRegion: await codes(copy(GOLDEN_ID, { region: SOURCE, project_name: SOURCE })),
      encrypted: await codes(copy(ENCRYPTED_ID)),
      over128: await codes(copy(BIG_ID, { region: FAR, project_name: FAR })),
      over300: await codes(copy(HUGE_ID)),
      unknownImage: await codes(copy('00000000-0000-4000-8000-000000000000')),
      projectName: await codes(copy(GOLDEN_ID, { project_name: 'cn-east-3_other' })),
      region: await codes(copy(GOLDEN_ID, { region: 'xx-nowhere-1' })),
      name: await codes(copy(GOLDEN_ID, { name: 'bad/name' })),
      description: await codes(copy(GOLDEN_ID, { description: 'a\r\nb' })),
    };

    // Assess
    expect(agency).toBe('IMG.0151');
    expect(results).toEqual({
      sameRegion: 'IMG.0142',
      encrypted: 'IMG.0143',
      over128: 'IMG.0146',
      over300: 'IMG.0146',
      unknownImage: 'IMG.0027',
      projectName: 'IMG.0145',
      region: 'IMG.0147',
      name: 'IMG.0003',
      description: 'IMG.0054',
    });
    expect(kit.sim.inspect.copyRecords()).toEqual([]);
  });

  it('copies 200 GiB between two of the four CN regions but not to Singapore', async () => {
    // Act
    const cn = await copy(BIG_ID);
    const far = await rejection(copy(BIG_ID, { region: FAR, project_name: FAR }));

    // Assess
    expect(cn).toMatch(/^[0-9a-f]{32}$/);
    expect(far.code).toBe('IMG.0146');
  });

  it('will not delete an image still being made (IMG.0090); a deleted one lingers as deleted, then is gone', async () => {
    // Prepare
    const jobId = await copy();
    const imageId = imageOf(jobId)?.id ?? '';

    // Act
    const early = await rejection(client.deleteImage(kit.target(DESTINATION), imageId));
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);
    await client.deleteImage(kit.target(DESTINATION), imageId);
    const lingering = await client.listImages(kit.target(DESTINATION), { id: imageId });
    kit.clock.advanceSeconds(60);
    const gone = await client.listImages(kit.target(DESTINATION), { id: imageId });

    // Assess
    expect(early).toMatchObject({ code: 'IMG.0090', retryable: true });
    expect(lingering.map((i) => i.status)).toEqual(['deleted']);
    expect(gone).toEqual([]);
    expect(kit.sim.inspect.copiesCreated(DESTINATION, 'sim-copy')).toBe(1);
  });

  it('applies tags idempotently, at most ten, with the IMS key and value rules', async () => {
    // Prepare
    const target = kit.target(SOURCE);
    const many = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'v' }));

    // Act
    await client.addTags(target, GOLDEN_ID, [{ key: 'role', value: 'gold' }]);
    await client.addTags(target, GOLDEN_ID, [{ key: 'role', value: 'gold' }]);
    const colon = await rejection(client.addTags(target, GOLDEN_ID, [{ key: 'image-replicator:managed', value: 'true' }]));
    const tooMany = await rejection(client.addTags(target, GOLDEN_ID, many));

    // Assess
    expect(kit.sim.inspect.image(GOLDEN_ID)?.tags).toEqual({ role: 'gold' });
    expect(colon.code).toBe('IMG.0115');
    expect(tooMany.code).toBe('IMG.0116');
  });
});
