import { ARCHITECTURES, OWNER_ALIASES, type OwnerAlias, SIM_IMAGE_STATUSES, type SimImage, type SimImageStatus } from '../model';
import { pageOf, pageParams } from '../paging';
import { type Params, optional, repeatList, required, tagEntries } from '../params';
import { SimApiError, regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';
import { imageUsage, imageView } from './image-view';

/** Without Status the API shows only Available images: the trap a poller of copies falls into. */
const statusFilter = (params: Params): ReadonlySet<SimImageStatus> => {
  const raw = optional(params, 'Status');
  if (raw === undefined) return new Set(['Available']);
  const values = raw.split(',').map((v) => v.trim());
  if (values.includes('ALL')) {
    if (values.length > 1) throw new SimApiError(400, 'InvalidStatus.ValueNotSupported', 'Status ALL cannot be combined with other values.');
    return new Set(SIM_IMAGE_STATUSES);
  }
  for (const value of values) {
    if (!(SIM_IMAGE_STATUSES as readonly string[]).includes(value)) {
      throw new SimApiError(400, 'InvalidStatus.ValueNotSupported', `The specified Status "${value}" is not supported.`);
    }
  }
  return new Set(values as SimImageStatus[]);
};

const ownerFilter = (params: Params): ReadonlySet<OwnerAlias> => {
  const raw = optional(params, 'ImageOwnerAlias');
  if (raw === undefined) return new Set<OwnerAlias>(['system', 'self', 'others']);
  if (!(OWNER_ALIASES as readonly string[]).includes(raw)) {
    throw new SimApiError(400, 'InvalidImageOwnerAlias.ValueNotSupported', `The specified ImageOwnerAlias "${raw}" is not supported.`);
  }
  return new Set([raw as OwnerAlias]);
};

const FILTER_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})Z$/;

const parseFilterTime = (key: string, value: string | undefined): number => {
  const match = value === undefined ? null : FILTER_TIME.exec(value);
  const ms = match ? Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:00Z`) : NaN;
  if (Number.isNaN(ms)) {
    throw new SimApiError(400, 'InvalidParameter', `The specified Filter value of ${key} is not valid: expected yyyy-MM-ddTHH:mmZ.`);
  }
  return ms;
};

/** `Filter.N.Key/Value`: the creation-time window, at minute precision, both ends inclusive. */
const creationWindow = (params: Params): { from: number; to: number } => {
  let from = -Infinity;
  let to = Infinity;
  for (const filter of repeatList(params, 'Filter', 20, 'InvalidFilterCount')) {
    switch (filter.Key) {
      case 'CreationStartTime':
        from = parseFilterTime(filter.Key, filter.Value);
        break;
      case 'CreationEndTime':
        to = parseFilterTime(filter.Key, filter.Value) + 59_999;
        break;
      case 'NetworkType':
        break;
      default:
        throw new SimApiError(400, 'InvalidFilterKey.NotFound', `The specified Filter key "${filter.Key ?? ''}" is not supported.`);
    }
  }
  return { from, to };
};

const enumFilter = <T extends string>(params: Params, name: string, allowed: readonly T[], code: string): T | undefined => {
  const raw = optional(params, name);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) throw new SimApiError(400, code, `The specified ${name} "${raw}" is not supported.`);
  return raw as T;
};

export const describeImages: ActionHandler = ({ state, params }) => {
  const region = required(params, 'RegionId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const statuses = statusFilter(params);
  const owners = ownerFilter(params);
  const window = creationWindow(params);
  const page = pageParams(params);
  const ids = optional(params, 'ImageId')?.split(',').map((id) => id.trim());
  const name = optional(params, 'ImageName');
  const tags = tagEntries(params);
  const usage = enumFilter(params, 'Usage', ['instance', 'none'] as const, 'InvalidUsage');
  const architecture = enumFilter(params, 'Architecture', ARCHITECTURES, 'InvalidArchitecture');
  const osType = enumFilter(params, 'OSType', ['linux', 'windows'] as const, 'InvalidOSType');
  const snapshotId = optional(params, 'SnapshotId');
  const family = optional(params, 'ImageFamily');

  const matches = (image: SimImage): boolean =>
    statuses.has(image.status) &&
    owners.has(image.ownerAlias) &&
    (ids === undefined || ids.includes(image.id)) &&
    (name === undefined || image.name.includes(name)) &&
    image.createdAt >= window.from &&
    image.createdAt <= window.to &&
    tags.every(([key, value]) => image.tags.some(([k, v]) => k === key && (value === undefined || v === value))) &&
    (usage === undefined || imageUsage(state, image) === usage) &&
    (architecture === undefined || image.architecture === architecture) &&
    (osType === undefined || image.osType === osType) &&
    (snapshotId === undefined || image.disks.some((disk) => disk.snapshotId === snapshotId)) &&
    (family === undefined || image.imageFamily === family);

  // Newest first, as the console and the API list them.
  const found = state
    .imagesIn(region)
    .filter(matches)
    .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  const slice = pageOf(found, page);
  return {
    RegionId: region,
    PageNumber: page.number,
    PageSize: page.size,
    TotalCount: found.length,
    Images: { Image: slice.map((image) => imageView(state, image)) },
  };
};
