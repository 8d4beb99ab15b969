import { describe, expect, it } from 'vitest';
import { copyDurationMs } from '../../sim/model';
import { loadSeedFile, parseSeed } from '../../sim/seed';

const failure = (run: () => unknown): Error => {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
};

describe('seed additions: disks, snapshots, instances, bandwidth per pair', () => {
  it('loads the large-image seed: a 2,100 GiB arm64 image over three disks and two instances', async () => {
    // Prepare
    // Act
    const seed = await loadSeedFile('sim/seeds/large-image.yaml');

    // Assess
    const lake = seed.images.find((i) => i.name === 'golden-data-lake-2026-11');
    expect(lake).toMatchObject({ sizeGiB: 2100, platform: 'Ubuntu', architecture: 'arm64', bootMode: 'UEFI', imageFamily: 'data-lake' });
    expect(lake?.disks?.map((d) => d.type)).toEqual(['system', 'data', 'data']);
    expect(seed.instances.map((i) => i.image)).toEqual(['golden-web-2026-10', 'golden-web-2026-10']);
    expect(seed.copy.pairs).toEqual([{ from: 'cn-hangzhou', to: 'eu-central-1', bandwidthMiBps: 30 }]);
  });

  it('times copies by the bandwidth of the pair, in either direction, and the default elsewhere', () => {
    // Prepare
    const settings = parseSeed({ regions: ['a-1', 'b-1', 'c-1'], copy: { bandwidthMiBps: 100, overheadSeconds: 0, pairs: [{ from: 'a-1', to: 'b-1', bandwidthMiBps: 10 }] } }).copy;

    // Act
    const durations = [copyDurationMs(1, settings, 'a-1', 'b-1'), copyDurationMs(1, settings, 'b-1', 'a-1'), copyDurationMs(1, settings, 'a-1', 'c-1'), copyDurationMs(1, settings)];

    // Assess
    expect(durations).toEqual([102_400, 102_400, 10_240, 10_240]);
  });

  it.each([
    ['an image with neither size nor disks', { images: [{ region: 'cn-hangzhou', name: 'x' }] }, 'images.0.sizeGiB'],
    ['a size that is not the sum of the disks', { images: [{ region: 'cn-hangzhou', name: 'x', sizeGiB: 5, disks: [{ type: 'system', sizeGiB: 4 }] }] }, 'images.0.sizeGiB'],
    ['two system disks', { images: [{ region: 'cn-hangzhou', name: 'x', disks: [{ type: 'system', sizeGiB: 4 }, { type: 'system', sizeGiB: 4 }] }] }, 'images.0.disks'],
    ['an instance of an image not seeded', { instances: [{ region: 'cn-hangzhou', image: 'nope' }] }, 'instances.0.image'],
    ['an instance naming no image', { instances: [{ region: 'cn-hangzhou' }] }, 'instances.0'],
    ['a pair with an unknown region', { copy: { pairs: [{ from: 'cn-hangzhou', to: 'mars-1', bandwidthMiBps: 5 }] } }, 'copy.pairs.0.to'],
    ['a snapshot in an unknown region', { snapshots: [{ region: 'mars-1', sizeGiB: 5 }] }, 'snapshots.0.region'],
    ['an account id with letters', { accountId: 'acct-1' }, 'accountId'],
  ])('refuses %s and names the field', (_, input, field) => {
    // Prepare
    // Act
    const error = failure(() => parseSeed({ regions: ['cn-hangzhou'], ...input }));

    // Assess
    expect(error.message).toContain(field);
  });

  it('fills the new defaults without touching the old ones', () => {
    // Prepare
    // Act
    const seed = parseSeed({});

    // Assess
    expect(seed).toMatchObject({ snapshots: [], instances: [], imageCreation: { durationSeconds: 60 }, accountId: '1234567890123456' });
    expect(seed.quirks).toEqual({ deleteMissingImage: 'ignore', deleteMissingSnapshot: 'ignore', imageSnapshotsOnDelete: 'withImage' });
  });
});
