import type { TagList } from './model';
import type { CreatedRecord, SimState } from './state';

export type ResourceKind = CreatedRecord['kind'];

export interface CreatedFilter {
  readonly region?: string | undefined;
  readonly name?: string | undefined;
  /** A tag the resource carries (any value when `value` is absent), e.g. a job tag. */
  readonly tag?: { readonly key: string; readonly value?: string | undefined } | undefined;
  /** seed, CopyImage, CopySnapshot, CreateImage, inspection. */
  readonly origin?: string | undefined;
}

/** One (region, name) or (region, tag value) group of everything ever created, deleted ones included. */
export interface CreatedCount {
  readonly region: string;
  readonly key: string;
  readonly created: number;
  readonly deleted: number;
  readonly live: number;
  readonly ids: readonly string[];
}

/** A record with the live name and tags while the resource exists, as frozen at deletion after. */
const current = (state: SimState, record: CreatedRecord): CreatedRecord => {
  const live = record.kind === 'image' ? state.images.get(record.id) : state.snapshots.get(record.id);
  const source: { name: string; tags: TagList } = live ?? record;
  return { ...record, name: source.name, tags: source.tags.map(([k, v]) => [k, v]) };
};

const hasTag = (tags: TagList, key: string, value: string | undefined): boolean =>
  tags.some(([k, v]) => k === key && (value === undefined || v === value));

export const createdRecords = (state: SimState, kind: ResourceKind, filter: CreatedFilter = {}): CreatedRecord[] =>
  [...state.history.values()]
    .filter((record) => record.kind === kind)
    .map((record) => current(state, record))
    .filter(
      (record) =>
        (filter.region === undefined || record.region === filter.region) &&
        (filter.name === undefined || record.name === filter.name) &&
        (filter.origin === undefined || record.origin === filter.origin) &&
        (filter.tag === undefined || hasTag(record.tags, filter.tag.key, filter.tag.value)),
    )
    // Stable: records made at the same instant stay in the order they were made.
    .sort((a, b) => a.createdAt - b.createdAt);

/** Groups by region and name, or by region and the value of one tag key (resources without it are left out); sorted by region, then key. */
export const createdCounts = (state: SimState, kind: ResourceKind, by: 'name' | { readonly tagKey: string }): CreatedCount[] => {
  const groups = new Map<string, { region: string; key: string; records: CreatedRecord[] }>();
  for (const record of createdRecords(state, kind)) {
    const key = by === 'name' ? record.name : record.tags.find(([k]) => k === by.tagKey)?.[1];
    if (key === undefined) continue;
    const id = `${record.region}\n${key}`;
    const group = groups.get(id) ?? { region: record.region, key, records: [] };
    group.records.push(record);
    groups.set(id, group);
  }
  const ordered = [...groups.values()].sort((a, b) => a.region.localeCompare(b.region) || a.key.localeCompare(b.key));
  return ordered.map(({ region, key, records }) => {
    const deleted = records.filter((r) => r.deletedAt !== undefined).length;
    return { region, key, created: records.length, deleted, live: records.length - deleted, ids: records.map((r) => r.id) };
  });
};
