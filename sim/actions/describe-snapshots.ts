import { SNAPSHOT_STATUSES, type SimSnapshot } from '../model';
import { pagedAnswer } from '../paging';
import { booleanParam, jsonIdList, optional, required, tagEntries } from '../params';
import { SimApiError, regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';
import { snapshotUsage, snapshotView } from './snapshot-view';

const MAX_IDS = 100;
const USAGES = ['image', 'disk', 'image_disk', 'none'] as const;

const oneOf = <T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T | undefined => {
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) throw new SimApiError(400, `Invalid${name}.ValueNotSupported`, `The specified ${name} "${raw}" is not supported.`);
  return raw as T;
};

/** Snapshots of one region, newest first; Status defaults to all (unlike DescribeImages). */
export const describeSnapshots: ActionHandler = ({ state, params }) => {
  const region = required(params, 'RegionId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const ids = jsonIdList(params, 'SnapshotIds', MAX_IDS, 'InvalidSnapshotIds.Malformed');
  const rawStatus = optional(params, 'Status');
  const status = rawStatus === 'all' ? undefined : oneOf('Status', rawStatus, SNAPSHOT_STATUSES);
  const diskType = oneOf('SourceDiskType', optional(params, 'SourceDiskType')?.toLowerCase(), ['system', 'data'] as const);
  const usage = oneOf('Usage', optional(params, 'Usage'), USAGES);
  const encrypted = booleanParam(params, 'Encrypted');
  const name = optional(params, 'SnapshotName');
  const tags = tagEntries(params);

  const matches = (snapshot: SimSnapshot): boolean =>
    (ids === undefined || ids.includes(snapshot.id)) &&
    (status === undefined || snapshot.status === status) &&
    (diskType === undefined || snapshot.diskType === diskType) &&
    (usage === undefined || snapshotUsage(state, snapshot) === usage) &&
    (encrypted === undefined || snapshot.encrypted === encrypted) &&
    (name === undefined || snapshot.name === name) &&
    tags.every(([key, value]) => snapshot.tags.some(([k, v]) => k === key && (value === undefined || v === value)));

  const found = [...state.snapshots.values()]
    .filter((snapshot) => snapshot.region === region && matches(snapshot))
    .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  const { slice, fields } = pagedAnswer(params, found);
  return { ...fields, Snapshots: { Snapshot: slice.map((snapshot) => snapshotView(state, snapshot)) } };
};
