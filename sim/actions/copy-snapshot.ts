import { rememberToken, replayedResource } from '../idempotency';
import { copyDurationMs } from '../model';
import { checkDescription, checkSnapshotName, checkTag } from '../naming-rules';
import { type Params, booleanParam, integerParam, optional, required, tagEntries } from '../params';
import { SimApiError, invalidParameter, regionNotFound, snapshotNotFound } from '../sim-errors';
import type { ActionHandler } from './action';

const retentionDays = (params: Params): number | undefined => {
  if (optional(params, 'RetentionDays') === undefined) return undefined;
  const days = integerParam(params, 'RetentionDays', 0);
  if (days < 1 || days > 65_536) throw invalidParameter('RetentionDays', 'expected 1 to 65536 days');
  return days;
};

/**
 * Copies a snapshot to another region: the copy exists at once, `progressing`, and becomes
 * `accomplished` after overhead plus size over the pair's bandwidth. Snapshot copies do not
 * queue behind each other (no concurrency limit is documented for them).
 */
export const copySnapshot: ActionHandler = ({ state, params, faults }) => {
  const region = required(params, 'RegionId');
  const snapshotId = required(params, 'SnapshotId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const replayed = replayedResource(state, 'CopySnapshot', params);
  if (replayed !== undefined) return { SnapshotId: replayed };

  const destination = required(params, 'DestinationRegionId');
  if (!state.hasRegion(destination)) {
    throw new SimApiError(400, 'DestinationRegion.NotFound', `The specified DestinationRegionId "${destination}" does not exist.`);
  }
  if (destination === region) {
    throw new SimApiError(403, 'IncorrectDestinationRegion', 'The destination region cannot be the region of the source snapshot.');
  }
  // Both are required by the API even though they look optional.
  const name = required(params, 'DestinationSnapshotName');
  checkSnapshotName(name);
  const description = required(params, 'DestinationSnapshotDescription');
  checkDescription(description);
  const tags = tagEntries(params);
  for (const [key, value] of tags) checkTag(key, value);
  const encrypted = booleanParam(params, 'Encrypted');
  const kmsKeyId = optional(params, 'KMSKeyId');
  if (kmsKeyId !== undefined && encrypted !== true) {
    throw new SimApiError(400, 'InvalidParameter.EncryptedIllegal', 'KMSKeyId can only be specified when Encrypted is true.');
  }
  const retention = retentionDays(params);

  const source = state.findSnapshot(region, snapshotId);
  if (!source) throw snapshotNotFound();
  if (source.status !== 'accomplished') {
    throw new SimApiError(403, 'IncorrectSnapshotStatus', 'The snapshot is not accomplished yet and cannot be copied.');
  }

  const now = state.nowMs();
  const durationMs = copyDurationMs(source.sizeGiB, state.copySettings, region, destination);
  const fails = faults.copyShouldFail('CopySnapshot');
  const endsAt = now + (fails ? Math.round(durationMs * state.random.between(0.1, 0.9)) : durationMs);
  const copy = state.addSnapshot({
    region: destination,
    sizeGiB: source.sizeGiB,
    diskType: source.diskType,
    name,
    description,
    status: 'progressing',
    // A copy of an encrypted snapshot stays encrypted; Encrypted only adds encryption.
    encrypted: source.encrypted || encrypted === true,
    kmsKeyId,
    tags: tags.map(([key, value]) => [key, value ?? ''] as const),
    retentionDays: retention,
    copy: { sourceSnapshotId: source.id, sourceRegion: region, startedAt: now, durationMs, endsAt, fails },
    origin: 'CopySnapshot',
  });
  rememberToken(state, 'CopySnapshot', params, copy.id);
  return { SnapshotId: copy.id };
};
