import { describe, expect, it } from 'vitest';
import { createImsSimulator } from '../../../sim/huawei/ims-simulator';
import { ImsSeedError, loadImsSeedFile, parseImsSeed } from '../../../sim/huawei/seed';
import { ManualSimClock } from '../../../sim/sim-clock';
import { ImsClient } from '../../../shared/providers/huawei-ims/client';

describe('IMS simulator seed', () => {
  it('loads the demo world: golden private images of 10, 20 and 40 GiB in cn-north-4', async () => {
    // Prepare
    const seed = await loadImsSeedFile('sim/seeds/huawei-demo.yaml');
    const sim = await createImsSimulator({ seed, clock: new ManualSimClock() });

    // Act
    const client = new ImsClient({ credentials: seed.credentials[0]!, endpointTemplate: sim.endpointTemplate });
    const golden = await client.listImages({ region: 'cn-north-4', projectId: sim.projectIds['cn-north-4']! }, { imageType: 'private', tag: { key: 'role', value: 'golden' } });
    await sim.close();

    // Assess
    expect(golden.map((i) => [i.name, Number(i.__image_size) / 1024 ** 3]).sort()).toEqual([
      ['golden-api-2026-11', 20],
      ['golden-db-2026-11', 40],
      ['golden-web-2026-11', 10],
    ]);
  });

  it('fills defaults: three regions, a project id per region, five copies per tenant, the four CN regions of the 300 GiB cap', () => {
    // Act
    const seed = parseImsSeed({});

    // Assess
    expect(seed.regions.map((r) => r.id)).toEqual(['cn-north-4', 'cn-east-3', 'ap-southeast-1']);
    expect(seed.regions.every((r) => /^[0-9a-f]{32}$/.test(r.projectId))).toBe(true);
    expect(seed.copy).toMatchObject({ maxRunningPerTenant: 5, sizeCapGiB: 128, largeSizeCapGiB: 300, largeCapRegions: ['cn-south-1', 'cn-east-3', 'cn-east-2', 'cn-north-4'] });
    expect(seed.agency.name).toBe('ims_admin_agency');
  });

  it('names the field of an invalid seed', () => {
    // Act
    const bad = () => parseImsSeed({ regions: ['cn-north-4', 'cn-east-3'], images: [{ region: 'eu-west-0', name: 'x', sizeGiB: 1 }], copy: { bandwidthMiBps: -1 } });

    // Assess
    expect(bad).toThrow(ImsSeedError);
    expect(bad).toThrow(/copy\.bandwidthMiBps/);
    expect(() => parseImsSeed({ regions: ['cn-north-4', 'cn-east-3'], images: [{ region: 'eu-west-0', name: 'x', sizeGiB: 1 }] })).toThrow(/images\.0\.region: unknown region "eu-west-0"/);
    expect(() => parseImsSeed({ regions: ['cn-north-4', 'not a region'] })).toThrow(/regions\.1/);
  });
});
