import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SimKit, items, rawCall, rejection, startSimKit } from './sim-test-kit';

// 1 GiB per second and no overhead: a 100 GiB snapshot copies in 100 s.
const FAST = { bandwidthMiBps: 1024, overheadSeconds: 0 };

describe('CopySnapshot and DescribeSnapshots', () => {
  let kit: SimKit;
  let sourceId: string;
  beforeEach(async () => {
    kit = await startSimKit({
      copy: FAST,
      snapshots: [
        { region: 'cn-hangzhou', id: 's-golden0data0000001', name: 'golden-data', sizeGiB: 100, diskType: 'data', tags: { role: 'golden' } },
        { region: 'cn-hangzhou', id: 's-still0making000001', name: 'still-making', sizeGiB: 10, status: 'progressing' },
      ],
    });
    sourceId = 's-golden0data0000001';
  });
  afterEach(() => kit.close());

  const copy = (changes: Record<string, string> = {}) =>
    rawCall(kit.sim, 'CopySnapshot', {
      RegionId: 'cn-hangzhou',
      SnapshotId: sourceId,
      DestinationRegionId: 'cn-shanghai',
      DestinationSnapshotName: 'golden-data-copy',
      DestinationSnapshotDescription: 'copy of golden-data',
      ...changes,
    });

  const describeOne = async (region: string, snapshotId: string) =>
    items(await rawCall(kit.sim, 'DescribeSnapshots', { RegionId: region, SnapshotIds: JSON.stringify([snapshotId]) }), 'Snapshots', 'Snapshot')[0];

  it('creates a progressing copy in the destination that reports 40% and then accomplished', async () => {
    // Prepare
    const { SnapshotId } = await copy({ 'Tag.1.Key': 'job', 'Tag.1.Value': 'rj-1' });

    // Act
    kit.clock.advanceSeconds(40);
    const partway = await describeOne('cn-shanghai', String(SnapshotId));
    kit.clock.advanceSeconds(60);
    const done = await describeOne('cn-shanghai', String(SnapshotId));

    // Assess
    expect(SnapshotId).toMatch(/^s-[0-9a-z]{20}$/);
    expect(partway).toMatchObject({
      Status: 'progressing',
      Progress: '40%',
      RemainTime: 60,
      SourceSnapshotId: sourceId,
      SourceRegionId: 'cn-hangzhou',
      SourceDiskSize: '100',
      SourceDiskType: 'data',
      SnapshotName: 'golden-data-copy',
      Encrypted: false,
      Available: false,
      Tags: { Tag: [{ TagKey: 'job', TagValue: 'rj-1' }] },
    });
    expect(done).toMatchObject({ Status: 'accomplished', Progress: '100%', RemainTime: 0, Available: true, Usage: 'none' });
    expect(done?.CreationTime).toBe('2026-11-20T08:00:00Z');
  });

  it('answers a retried ClientToken with the same snapshot and refuses it with other parameters', async () => {
    // Prepare
    const first = await copy({ ClientToken: 'rj-7-snap-1' });

    // Act
    const again = await copy({ ClientToken: 'rj-7-snap-1' });
    const changed = await rejection(copy({ ClientToken: 'rj-7-snap-1', DestinationRegionId: 'cn-beijing' }));

    // Assess
    expect(again.SnapshotId).toBe(first.SnapshotId);
    expect(kit.sim.inspect.snapshots('cn-shanghai')).toHaveLength(1);
    expect(changed).toMatchObject({ statusCode: 400, code: 'IdempotentParameterMismatch' });
  });

  it('keeps a copy of an encrypted snapshot encrypted and encrypts with a KMS key on request', async () => {
    // Prepare
    kit.sim.inspect.addSnapshot({ region: 'cn-hangzhou', id: 's-encrypted000000001', sizeGiB: 5, diskType: 'system', encrypted: true });

    // Act
    const kept = await copy({ SnapshotId: 's-encrypted000000001' });
    const keyed = await copy({ Encrypted: 'true', KMSKeyId: 'key-shanghai-1' });

    // Assess
    expect(kit.sim.inspect.snapshot(String(kept.SnapshotId))).toMatchObject({ encrypted: true, diskType: 'system' });
    expect(kit.sim.inspect.snapshot(String(keyed.SnapshotId))).toMatchObject({ encrypted: true, kmsKeyId: 'key-shanghai-1' });
  });

  it('ends an injected failing copy failed part-way', async () => {
    // Prepare
    kit.sim.faults.injectNext('CopySnapshot', 'copyFailure');
    const { SnapshotId } = await copy();

    // Act
    kit.clock.advanceSeconds(100);
    const failed = await describeOne('cn-shanghai', String(SnapshotId));

    // Assess
    expect(failed).toMatchObject({ Status: 'failed', Available: false, RemainTime: 0 });
    expect(kit.sim.faults.counts().copyFailure).toBe(1);
  });

  it.each([
    ['an unknown snapshot', { SnapshotId: 's-nothere00000000001' }, 404, 'InvalidSnapshotId.NotFound'],
    ['a snapshot of another region', { RegionId: 'cn-beijing' }, 404, 'InvalidSnapshotId.NotFound'],
    ['a snapshot not yet accomplished', { SnapshotId: 's-still0making000001' }, 403, 'IncorrectSnapshotStatus'],
    ['the source region as destination', { DestinationRegionId: 'cn-hangzhou' }, 403, 'IncorrectDestinationRegion'],
    ['an unknown destination region', { DestinationRegionId: 'mars-north-1' }, 400, 'DestinationRegion.NotFound'],
    ['an unknown source region', { RegionId: 'mars-north-1' }, 404, 'InvalidRegionId.NotFound'],
    ['a missing name', { DestinationSnapshotName: '' }, 400, 'MissingParameter'],
    ['a missing description', { DestinationSnapshotDescription: '' }, 400, 'MissingParameter'],
    ['a name starting with a digit', { DestinationSnapshotName: '1-copy' }, 400, 'InvalidSnapshotName.Malformed'],
    ['a name that is a URL', { DestinationSnapshotName: 'https://copy' }, 400, 'InvalidSnapshotName.Malformed'],
    ['a one-character description', { DestinationSnapshotDescription: 'x' }, 400, 'InvalidDescription.Malformed'],
    ['a KMS key without Encrypted', { KMSKeyId: 'key-1' }, 400, 'InvalidParameter.EncryptedIllegal'],
    ['a retention of 0 days', { RetentionDays: '0' }, 400, 'InvalidParameter'],
    ['a tag key starting with aliyun', { 'Tag.1.Key': 'aliyun-x', 'Tag.1.Value': 'v' }, 400, 'InvalidTagKey.Malformed'],
  ])('refuses %s', async (_, changes, status, code) => {
    // Prepare
    // Act
    const error = await rejection(copy(changes));

    // Assess
    expect(error).toMatchObject({ statusCode: status, code });
    expect(kit.sim.inspect.snapshots('cn-shanghai')).toHaveLength(0);
  });

  it('filters DescribeSnapshots by status, disk type, tag and usage, newest first', async () => {
    // Prepare
    kit.clock.advanceSeconds(5);
    const { SnapshotId } = await copy({ DestinationRegionId: 'cn-beijing' });
    kit.clock.advanceSeconds(5);
    kit.sim.inspect.addSnapshot({ region: 'cn-beijing', sizeGiB: 1, diskType: 'system', name: 'newest', tags: { role: 'golden' } });

    // Act
    const all = await rawCall(kit.sim, 'DescribeSnapshots', { RegionId: 'cn-beijing' });
    const progressing = await rawCall(kit.sim, 'DescribeSnapshots', { RegionId: 'cn-beijing', Status: 'progressing' });
    const system = await rawCall(kit.sim, 'DescribeSnapshots', { RegionId: 'cn-beijing', SourceDiskType: 'System' });
    const golden = await rawCall(kit.sim, 'DescribeSnapshots', { RegionId: 'cn-hangzhou', 'Tag.1.Key': 'role', 'Tag.1.Value': 'golden' });
    const unused = await rawCall(kit.sim, 'DescribeSnapshots', { RegionId: 'cn-hangzhou', Usage: 'none' });

    // Assess
    expect(items(all, 'Snapshots', 'Snapshot').map((s) => s.SnapshotName)).toEqual(['newest', 'golden-data-copy']);
    expect(items(progressing, 'Snapshots', 'Snapshot').map((s) => s.SnapshotId)).toEqual([SnapshotId]);
    expect(items(system, 'Snapshots', 'Snapshot').map((s) => s.SnapshotName)).toEqual(['newest']);
    expect(items(golden, 'Snapshots', 'Snapshot').map((s) => s.SnapshotId)).toEqual([sourceId]);
    expect(unused.TotalCount).toBe(2);
  });

  it('pages with NextToken and MaxResults, and with PageNumber and PageSize', async () => {
    // Prepare
    for (let i = 0; i < 23; i += 1) kit.sim.inspect.addSnapshot({ region: 'cn-shenzhen', sizeGiB: 1, diskType: 'data', name: `bulk-${i}` });

    // Act
    const seen: unknown[] = [];
    let token = '';
    let calls = 0;
    do {
      const page = await rawCall(kit.sim, 'DescribeSnapshots', { RegionId: 'cn-shenzhen', MaxResults: '10', ...(token === '' ? {} : { NextToken: token }) });
      seen.push(...items(page, 'Snapshots', 'Snapshot').map((s) => s.SnapshotId));
      token = String(page.NextToken);
      calls += 1;
    } while (token !== '');
    const third = await rawCall(kit.sim, 'DescribeSnapshots', { RegionId: 'cn-shenzhen', PageNumber: '3', PageSize: '10' });
    const badToken = await rejection(rawCall(kit.sim, 'DescribeSnapshots', { RegionId: 'cn-shenzhen', NextToken: 'made-up' }));

    // Assess
    expect(calls).toBe(3);
    expect(new Set(seen).size).toBe(23);
    expect(third).toMatchObject({ PageNumber: 3, PageSize: 10, TotalCount: 23 });
    expect(items(third, 'Snapshots', 'Snapshot')).toHaveLength(3);
    expect(badToken).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
  });

  it('refuses SnapshotIds that are not a JSON array of at most 100 ids', async () => {
    // Prepare
    const tooMany = JSON.stringify(Array.from({ length: 101 }, (_, i) => `s-${i}`));

    // Act
    const plain = await rejection(rawCall(kit.sim, 'DescribeSnapshots', { RegionId: 'cn-hangzhou', SnapshotIds: sourceId }));
    const many = await rejection(rawCall(kit.sim, 'DescribeSnapshots', { RegionId: 'cn-hangzhou', SnapshotIds: tooMany }));

    // Assess
    expect(plain).toMatchObject({ statusCode: 400, code: 'InvalidSnapshotIds.Malformed' });
    expect(many).toMatchObject({ statusCode: 400, code: 'InvalidSnapshotIds.Malformed' });
  });
});
