import { rememberToken, replayedResource } from '../idempotency';
import { ARCHITECTURES, type Architecture, BOOT_MODES, type BootMode, PLATFORMS, SimImageStatus } from '../model';
import { checkDescription, checkImageFamily, checkImageName, checkTag } from '../naming-rules';
import { type Params, optional, required, tagEntries } from '../params';
import { SimApiError, invalidParameter, regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';
import { plannedDisks } from './disk-mappings';

const choice = <T extends string>(params: Params, name: string, allowed: readonly T[], fallback: T): T => {
  const raw = optional(params, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw invalidParameter(name, `expected one of ${allowed.join(', ')}`);
  return raw as T;
};

/**
 * A custom image from snapshots of its region: `Creating` at once, `Available` after the
 * configured time. Platform and Architecture default as the API's do (`Others Linux`, `x86_64`),
 * so a caller that forgets to carry them over from the source image gets a visibly wrong image.
 */
export const createImage: ActionHandler = ({ state, params }) => {
  const region = required(params, 'RegionId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const replayed = replayedResource(state, 'CreateImage', params);
  if (replayed !== undefined) return { ImageId: replayed };
  if (optional(params, 'InstanceId') !== undefined) {
    throw invalidParameter('InstanceId', 'the simulator creates images from snapshots only (DiskDeviceMapping.N or SnapshotId)');
  }

  const name = optional(params, 'ImageName') ?? '';
  if (name !== '') checkImageName(name);
  const description = optional(params, 'Description');
  if (description !== undefined) checkDescription(description);
  const family = optional(params, 'ImageFamily');
  if (family !== undefined) checkImageFamily(family);
  const platform = choice(params, 'Platform', PLATFORMS, 'Others Linux');
  const architecture: Architecture = choice(params, 'Architecture', ARCHITECTURES, 'x86_64');
  const bootMode: BootMode = choice(params, 'BootMode', BOOT_MODES, 'BIOS');
  const tags = tagEntries(params);
  for (const [key, value] of tags) checkTag(key, value);
  const disks = plannedDisks(state, region, params);

  if (name !== '' && state.imagesIn(region).some((image) => image.name === name)) {
    throw new SimApiError(400, 'InvalidImageName.Duplicated', 'The specified Image name has already been used.');
  }
  const quota = state.copySettings.imageQuotaPerRegion;
  if (quota !== undefined && state.imagesIn(region).length >= quota) {
    throw new SimApiError(403, 'QuotaExceed.Image', `The number of images exceeds the limit (${quota}).`);
  }

  const snapshots = disks.map((disk) => state.snapshots.get(disk.fromSnapshotId ?? ''));
  const system = snapshots[0];
  const now = state.nowMs();
  const image = state.addImage({
    region,
    name,
    description,
    sizeGiB: disks.reduce((sum, disk) => sum + disk.sizeGiB, 0),
    disks,
    status: SimImageStatus.Creating,
    readyAt: now + Math.round(state.imageCreation.durationSeconds * 1000),
    tags: tags.map(([key, value]) => [key, value ?? ''] as const),
    encrypted: snapshots.some((snapshot) => snapshot?.encrypted === true),
    kmsKeyId: system?.kmsKeyId,
    resourceGroupId: optional(params, 'ResourceGroupId') ?? '',
    platform,
    architecture,
    bootMode,
    imageFamily: family,
    origin: 'CreateImage',
  });
  rememberToken(state, 'CreateImage', params, image.id);
  return { ImageId: image.id };
};
