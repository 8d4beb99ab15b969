import { errorCode, errorMessage, isRetryable } from '../../core/domain/errors';
import type { CopyInFlight, CopyObservation, CopyRequest, LeftBehind, StartCopyResult } from '../../core/ports/copy-provider';
import { RefusalReason } from '../../core/ports/copy-provider';
import { deleteSnapshots } from './delete-snapshots';
import type { EcsExtras } from './ecs-extras';
import { type SnapshotDisk, type SnapshotHandle, snapshotHandle } from './handle';
import type { EcsImageRecord } from './image-cloud';

/**
 * The route for images CopyImage refuses (over 2 TiB): copy each disk's snapshot to the
 * destination, wait until every copy is accomplished, then create the image from them with the
 * source's platform, architecture and boot mode (CreateImage's defaults, Others Linux and x86_64,
 * would silently break arm64 and Windows images). Every step is idempotent for a job attempt
 * (ClientTokens derived from its token), so a crash or a lost answer anywhere makes nothing twice;
 * a failure part-way deletes what was made before the job retries or fails.
 */

/** ECS takes one system disk and at most 16 data disks. */
const MAX_DATA_DISKS = 16;

type Refusal = Extract<StartCopyResult, { kind: 'refused' }>;

/** The source's disks as the route needs them, or why they cannot be copied. */
type SourceDisk = readonly [device: string, type: 'system' | 'data', sizeGiB: number, snapshotId: string];

export const disksOf = (image: EcsImageRecord): { disks: SourceDisk[] } | { problem: string } => {
  const mappings = image.DiskDeviceMappings?.DiskDeviceMapping ?? [];
  const disks: SourceDisk[] = [];
  for (const [index, mapping] of mappings.entries()) {
    const size = Number(mapping.Size);
    if (mapping.SnapshotId === undefined || mapping.SnapshotId === '') return { problem: `disk ${index + 1} of the image has no snapshot` };
    if (mapping.Device === undefined || !/^\/dev\/[a-z0-9]{1,16}$/.test(mapping.Device)) return { problem: `disk ${index + 1} has no device name` };
    if (mapping.Type !== 'system' && mapping.Type !== 'data') return { problem: `disk ${index + 1} is neither system nor data` };
    if (!Number.isInteger(size) || size <= 0) return { problem: `disk ${index + 1} has no size` };
    disks.push([mapping.Device, mapping.Type, size, mapping.SnapshotId]);
  }
  const system = disks.filter((d) => d[1] === 'system').length;
  if (system !== 1) return { problem: `the image has ${system} system disks; it needs exactly one` };
  if (disks.length - 1 > MAX_DATA_DISKS) return { problem: `the image has ${disks.length - 1} data disks; at most ${MAX_DATA_DISKS}` };
  if (new Set(disks.map((d) => d[0])).size !== disks.length) return { problem: 'two disks of the image share a device name' };
  return { disks };
};

/** CopySnapshot's required name: 2–128 characters, a letter first (the copy's name starts with one). */
const snapshotName = (imageName: string, index: number): string => `${imageName.slice(0, 110)}-disk${index + 1}`;

const refused = (reason: Refusal['reason'], code: string, message: string): Refusal => ({ kind: 'refused', reason, code, message });

export const startSnapshotRoute = async (
  extras: EcsExtras,
  request: CopyRequest,
  classify: (error: unknown) => StartCopyResult,
): Promise<StartCopyResult> => {
  const source = await extras.describeImage(request.source.region, request.source.imageId);
  if (source === undefined) return { kind: 'source-missing', code: 'InvalidImageId.NotFound', message: `no image ${request.source.imageId} in ${request.source.region}` };
  const mapped = disksOf(source);
  if ('problem' in mapped) return refused(RefusalReason.Invalid, 'DiskMappingsInvalid', `the image cannot be copied through snapshots: ${mapped.problem}`);
  const made: string[] = [];
  const disks: SnapshotDisk[] = [];
  for (const [index, [device, type, size, snapshot]] of mapped.disks.entries()) {
    try {
      const copy = await extras.copySnapshot({
        sourceRegion: request.source.region,
        snapshotId: snapshot,
        destinationRegion: request.destination.region,
        name: snapshotName(request.destination.name, index),
        description: `Disk ${device} of ${request.source.imageId}, copied by image-replicator for job ${request.jobId}`,
        encrypted: request.destination.encrypted,
        kmsKeyId: request.destination.kmsKeyId,
        tags: request.destination.tags,
        idempotencyToken: `${request.idempotencyToken}-d${index + 1}`,
      });
      made.push(copy);
      disks.push([device, type, size, snapshot, copy]);
    } catch (error) {
      const outcome = classify(error);
      // A refusal for good: what this attempt made is deleted before the job fails or retries.
      // A lost answer or a "not now" keeps it: the same tokens find the same snapshots again.
      if (outcome.kind === 'refused' && (outcome.reason === RefusalReason.Invalid || outcome.reason === RefusalReason.Quota)) {
        for (const id of made) await extras.deleteSnapshot(request.destination.region, id);
      }
      return outcome;
    }
  }
  const handle = snapshotHandle({
    v: 1,
    r: 'snap',
    t: request.idempotencyToken,
    d: disks,
    a: {
      ...(source.Platform === undefined || source.Platform === '' ? {} : { p: source.Platform }),
      ...(source.Architecture === undefined || source.Architecture === '' ? {} : { a: source.Architecture }),
      ...(source.BootMode === undefined || source.BootMode === '' ? {} : { b: source.BootMode }),
      ...(request.destination.family === undefined ? {} : { f: request.destination.family }),
    },
  });
  return { kind: 'started', handle, adopted: false };
};

/**
 * Looks at the snapshot copies; when all are accomplished, creates the image (same token, same
 * image) and answers the new handle. Once the image exists, the caller observes it as an image.
 */
export const advanceSnapshotRoute = async (
  extras: EcsExtras,
  copy: CopyInFlight,
  handle: SnapshotHandle,
  names: { readonly name: string; readonly description?: string | undefined },
): Promise<CopyObservation> => {
  const ids = handle.d.map((d) => d[4]);
  const snapshots = await extras.describeSnapshots(copy.destinationRegion, ids);
  const byId = new Map(snapshots.map((s) => [s.id, s]));
  const failed = snapshots.find((s) => s.status === 'failed');
  if (failed !== undefined) return { state: 'failed', leftover: true, code: 'SnapshotCopyFailed', message: `the copy of a disk snapshot (${failed.id}) failed` };
  if (ids.some((id) => !byId.has(id))) {
    return snapshots.length === 0
      ? { state: 'missing' }
      : { state: 'failed', leftover: true, code: 'SnapshotCopyVanished', message: 'a disk snapshot of the copy is gone' };
  }
  const progress = Math.floor(snapshots.reduce((sum, s) => sum + (s.status === 'accomplished' ? 100 : s.progressPercent), 0) / snapshots.length);
  if (snapshots.some((s) => s.status !== 'accomplished')) {
    const remaining = Math.max(...snapshots.map((s) => s.remainSeconds ?? 0));
    return { state: 'running', progressPercent: Math.min(95, Math.floor(progress * 0.95)), remainingSeconds: remaining > 0 ? remaining : undefined };
  }
  try {
    const imageId = await extras.createImage({
      region: copy.destinationRegion,
      name: names.name,
      description: names.description,
      family: handle.a.f,
      platform: handle.a.p,
      architecture: handle.a.a,
      bootMode: handle.a.b,
      disks: handle.d.map(([device, type, size, , snapshot]) => ({ snapshotId: snapshot, device, type, sizeGiB: size })),
      tags: copy.tags,
      idempotencyToken: `${handle.t}-img`,
    });
    return { state: 'running', progressPercent: 96, handle: snapshotHandle({ ...handle, i: imageId }), imageId };
  } catch (error) {
    if (isRetryable(error)) return { state: 'unobserved', retryable: true, code: errorCode(error), message: errorMessage(error) };
    return { state: 'failed', leftover: true, code: errorCode(error), message: `the image could not be created from the copied snapshots: ${errorMessage(error)}` };
  }
};

/**
 * Deletes what a snapshot-route copy made: the image first (its snapshots cannot go while it
 * exists), then the snapshots, answering those ECS keeps (delete-snapshots.ts).
 */
export const deleteSnapshotRoute = async (
  extras: EcsExtras,
  region: string,
  handle: SnapshotHandle,
  deleteImage: (region: string, imageId: string) => Promise<void>,
): Promise<LeftBehind[]> => {
  if (handle.i !== undefined) await deleteImage(region, handle.i);
  return deleteSnapshots(extras, region, handle.d.map(([, , , , snapshot]) => snapshot));
};
