import { DISK_TYPES, type DiskType } from '../model';
import { type Params, optional, repeatList } from '../params';
import { SimApiError, invalidParameter, missingParameter, snapshotNotFound } from '../sim-errors';
import { type NewDisk, defaultDevices } from '../new-resources';
import type { SimState } from '../state';

/** One system disk plus up to 16 data disks. */
const MAX_MAPPINGS = 17;
const MAX_DISK_GIB = 32_768;
const DATA_DEVICE = /^\/dev\/xvd[b-z]$/;

interface Mapping {
  readonly snapshotId: string;
  readonly size?: string | undefined;
  readonly diskType?: string | undefined;
  readonly device?: string | undefined;
}

/** DiskDeviceMapping.N wins over SnapshotId (a lone system-disk snapshot), as the API's priority says. */
const mappingsOf = (params: Params): Mapping[] => {
  const listed = repeatList(params, 'DiskDeviceMapping', MAX_MAPPINGS, 'InvalidParameter');
  if (listed.length > 0) {
    return listed.map((entry, i) => {
      const snapshotId = entry.SnapshotId;
      // The API would make an empty disk; the simulator only builds images from snapshots.
      if (snapshotId === undefined || snapshotId === '') throw missingParameter(`DiskDeviceMapping.${i + 1}.SnapshotId`);
      return { snapshotId, size: entry.Size, diskType: entry.DiskType, device: entry.Device };
    });
  }
  const snapshotId = optional(params, 'SnapshotId');
  if (snapshotId !== undefined) return [{ snapshotId, diskType: 'system' }];
  throw new SimApiError(
    400,
    'MissingParameter',
    'The input parameter SnapshotId or InstanceId or DiskDeviceMapping that is mandatory for processing this request is not supplied.',
  );
};

const sizeOf = (mapping: Mapping, snapshotGiB: number): number => {
  if (mapping.size === undefined || mapping.size === '') return snapshotGiB;
  const size = /^\d+$/.test(mapping.size) ? Number(mapping.size) : NaN;
  if (!(size >= snapshotGiB && size <= MAX_DISK_GIB)) {
    throw new SimApiError(
      400,
      'InvalidSize.ValueNotSupported',
      `The specified parameter DiskDeviceMapping.n.Size beyond the permitted range: at least the snapshot's ${snapshotGiB} GiB, at most ${MAX_DISK_GIB} GiB.`,
    );
  }
  return size;
};

/**
 * The disks of a CreateImage image, checked against the snapshots: each must exist in the region
 * and be accomplished; exactly one system disk (`/dev/xvda`); data disks `/dev/xvdb`…`/dev/xvdz`
 * without repeats; a size no smaller than the snapshot. System disk first, then data disks.
 */
export const plannedDisks = (state: SimState, region: string, params: Params): NewDisk[] => {
  const disks = mappingsOf(params).map((mapping) => {
    const snapshot = state.findSnapshot(region, mapping.snapshotId);
    if (!snapshot) throw snapshotNotFound();
    if (snapshot.status !== 'accomplished') {
      throw new SimApiError(403, 'InvalidSnapshotId.NotReady', 'The current status of the DiskDeviceMapping.n.SnapshotId or SnapshotId does not support this operation.');
    }
    // DiskType defaults to the type of the disk the snapshot was taken from.
    const type = mapping.diskType ?? snapshot.diskType;
    if (!(DISK_TYPES as readonly string[]).includes(type)) throw invalidParameter('DiskDeviceMapping.n.DiskType', 'expected system or data');
    return { type: type as DiskType, sizeGiB: sizeOf(mapping, snapshot.sizeGiB), device: mapping.device, fromSnapshotId: snapshot.id };
  });
  const systems = disks.filter((disk) => disk.type === 'system');
  if (systems.length === 0) {
    throw new SimApiError(400, 'OperationDenied', 'The specified parameter DiskDeviceMapping.n.SnapshotId does not contain system disk snapshot.');
  }
  if (systems.length > 1) {
    throw new SimApiError(400, 'OperationDenied', 'The specified parameter DiskDeviceMapping.n.SnapshotId contains two or more system disk snapshots.');
  }
  for (const disk of disks) {
    if (disk.device === undefined) continue;
    const fits = disk.type === 'system' ? disk.device === '/dev/xvda' : DATA_DEVICE.test(disk.device);
    if (!fits) throw invalidParameter('DiskDeviceMapping.n.Device', `${disk.device} is not a ${disk.type} disk device`);
  }
  const devices = defaultDevices(disks);
  if (new Set(devices).size !== devices.length) throw invalidParameter('DiskDeviceMapping.n.Device', 'device names repeat');
  return disks
    .map((disk, i) => ({ ...disk, device: devices[i] }))
    .sort((a, b) => (a.type === b.type ? (a.device ?? '').localeCompare(b.device ?? '') : a.type === 'system' ? -1 : 1));
};
