import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultKind } from '../../../sim/faults';
import { AlibabaEcsCopyProvider } from '../../../shared/providers/alibaba-ecs/copy-provider';
import { createEcsExtras } from '../../../shared/providers/alibaba-ecs/ecs-extras';
import { ReplicaTag } from '../../../shared/core/domain/image';
import { type SimKit, rawCall, rejection, startSimKit } from '../../sim/sim-test-kit';

const REGION = 'cn-shanghai';

/**
 * Deleting a copy on the documented ECS, where DeleteImage leaves the image's snapshots: the image
 * goes first, then each snapshot, and a snapshot ECS keeps (a disk was made from it) is answered,
 * not thrown, since the copy is gone either way.
 */
describe('Alibaba provider: deleting a copy and what it holds', () => {
  let kit: SimKit;
  let provider: AlibabaEcsCopyProvider;
  let imageId: string;
  let snapshots: string[];
  beforeEach(async () => {
    kit = await startSimKit({
      images: [{ region: REGION, name: 'copy-web', disks: [{ type: 'system', sizeGiB: 40 }, { type: 'data', sizeGiB: 20 }, { type: 'data', sizeGiB: 10 }] }],
      quirks: { imageSnapshotsOnDelete: 'keep' },
    });
    const cloud = kit.cloud();
    provider = new AlibabaEcsCopyProvider({ account: 'test', images: cloud, extras: createEcsExtras(cloud) });
    const image = kit.sim.inspect.images(REGION)[0];
    imageId = image?.id ?? '';
    snapshots = image?.disks.map((disk) => disk.snapshotId) ?? [];
  });
  afterEach(() => kit.close());

  const liveSnapshots = () => kit.sim.inspect.snapshots(REGION).map((snapshot) => snapshot.id).filter((id) => snapshots.includes(id));

  it('deletes the image and every snapshot, and leaves nothing behind', async () => {
    // Act
    const deleted = await provider.deleteCopy({ handle: imageId, destinationRegion: REGION });

    // Assess
    expect(deleted).toEqual({ leftBehind: [] });
    expect(kit.sim.inspect.images(REGION)).toEqual([]);
    expect(liveSnapshots()).toEqual([]);
  });

  it('answers the snapshot a disk was made from, unforced, and still deletes the image and the other snapshots', async () => {
    // Prepare
    kit.sim.inspect.addDiskFromSnapshot(snapshots[1] ?? '');

    // Act
    const deleted = await provider.deleteCopy({ handle: imageId, destinationRegion: REGION });

    // Assess
    expect(deleted).toEqual({ leftBehind: [{ id: snapshots[1], why: 'ECS DeleteSnapshot in cn-shanghai failed: SnapshotCreatedDisk: The snapshot has been used to create disks.' }] });
    expect(kit.sim.inspect.images(REGION)).toEqual([]);
    expect(liveSnapshots()).toEqual([snapshots[1]]);
    expect(kit.sim.requests.recent('DeleteSnapshot').map((request) => request.params.Force)).toEqual([undefined, undefined, undefined]);
  });

  it('throws while ECS fails, and a second try with the stored handle finishes once the image is gone', async () => {
    // Prepare: the handle retention stores names the snapshots; DeleteSnapshot fails past the client's retries
    const handle = await provider.deletionHandle({ handle: imageId, destinationRegion: REGION });
    kit.sim.faults.injectNext('DeleteSnapshot', FaultKind.ServiceUnavailable, 10);

    // Act
    const first = await rejection(provider.deleteCopy({ handle, destinationRegion: REGION }));
    const leftAfterFirst = liveSnapshots();
    const imagesAfterFirst = kit.sim.inspect.images(REGION).length;
    kit.sim.faults.clear();
    const second = await provider.deleteCopy({ handle, destinationRegion: REGION });

    // Assess
    expect(first).toMatchObject({ code: 'CopyPartlyDeleted', retryable: true });
    expect(imagesAfterFirst).toBe(0);
    expect(leftAfterFirst).toEqual(snapshots);
    expect(second).toEqual({ leftBehind: [] });
    expect(liveSnapshots()).toEqual([]);
  });

  it('lets only a forced DeleteSnapshot remove a snapshot a disk was made from (the simulator keeps the rule ECS documents)', async () => {
    // Prepare
    kit.sim.inspect.addDiskFromSnapshot(snapshots[0] ?? '');
    await rawCall(kit.sim, 'DeleteImage', { RegionId: REGION, ImageId: imageId });

    // Act
    const unforced = await rejection(rawCall(kit.sim, 'DeleteSnapshot', { RegionId: REGION, SnapshotId: snapshots[0] ?? '' }));
    await rawCall(kit.sim, 'DeleteSnapshot', { RegionId: REGION, SnapshotId: snapshots[0] ?? '', Force: 'true' });

    // Assess
    expect(unforced).toMatchObject({ code: 'SnapshotCreatedDisk' });
    expect(liveSnapshots()).not.toContain(snapshots[0]);
  });
});

describe('Alibaba provider: a failed leftover that holds a copy’s name', () => {
  const JOB_ID = 'rj-leftover0000000000000001';
  let kit: SimKit;
  let provider: AlibabaEcsCopyProvider;
  let leftoverId: string;
  let leftoverSnapshot: string;
  /** This job's failed copy holds the destination name in Shanghai. */
  beforeEach(async () => {
    kit = await startSimKit({ images: [{ region: 'cn-hangzhou', name: 'golden-web', sizeGiB: 20 }], quirks: { imageSnapshotsOnDelete: 'keep' } });
    const cloud = kit.cloud();
    provider = new AlibabaEcsCopyProvider({ account: 'test', images: cloud, extras: createEcsExtras(cloud) });
    const leftover = kit.sim.inspect.addImage({ region: REGION, name: 'golden-web-copy', sizeGiB: 20, status: 'CreateFailed', tags: tagsOfJob });
    leftoverId = leftover.id;
    leftoverSnapshot = leftover.disks[0]?.snapshotId ?? '';
  });
  afterEach(() => kit.close());

  const tagsOfJob = { [ReplicaTag.Managed]: 'true', [ReplicaTag.Job]: JOB_ID };
  const startCopy = () =>
    provider.startCopy({
      jobId: JOB_ID,
      source: { region: 'cn-hangzhou', imageId: kit.sim.inspect.images('cn-hangzhou')[0]?.id ?? '', sizeGiB: 20 },
      destination: { region: REGION, name: 'golden-web-copy', tags: tagsOfJob },
      idempotencyToken: `${JOB_ID}-r1-a1`,
      claimedAt: kit.sim.clock.now(),
    });

  it('is deleted so the copy can be tried again, and the refusal names the snapshot ECS kept of it', async () => {
    // Prepare: somebody made a disk from the leftover's snapshot
    kit.sim.inspect.addDiskFromSnapshot(leftoverSnapshot);

    // Act
    const result = await startCopy();

    // Assess
    expect(result).toMatchObject({ kind: 'refused', code: 'LeftoverRemoved', message: expect.stringContaining(`ECS kept ${leftoverSnapshot} (`) });
    expect(kit.sim.inspect.images(REGION).map((image) => image.id)).not.toContain(leftoverId);
    expect(kit.sim.inspect.snapshots(REGION).map((snapshot) => snapshot.id)).toContain(leftoverSnapshot);
  });

  it('frees the name though a snapshot of the leftover could not be deleted yet, and says so in the refusal', async () => {
    // Prepare: DeleteSnapshot fails past the client's retries
    kit.sim.faults.injectNext('DeleteSnapshot', FaultKind.ServiceUnavailable, 10);

    // Act
    const result = await startCopy();

    // Assess
    expect(result).toMatchObject({ kind: 'refused', reason: 'busy', code: 'LeftoverRemoved', message: expect.stringContaining(`its snapshot ${leftoverSnapshot} is not deleted yet`) });
    expect(kit.sim.inspect.images(REGION).map((image) => image.id)).not.toContain(leftoverId);
  });
});
