import { type CloudImage, ImageState } from '../../core/domain/image';
import type { ImsImage } from './schemas';
import { fromImsTags } from './tags';

/** IMS image statuses (IMS API reference, image attributes). */
export const ImsImageStatus = { Queued: 'queued', Saving: 'saving', Active: 'active', Killed: 'killed', Deleted: 'deleted' } as const;
export type ImsImageStatus = (typeof ImsImageStatus)[keyof typeof ImsImageStatus];

const STATE_OF: Readonly<Record<string, ImageState>> = {
  [ImsImageStatus.Queued]: ImageState.Pending,
  [ImsImageStatus.Saving]: ImageState.Pending,
  [ImsImageStatus.Active]: ImageState.Available,
  [ImsImageStatus.Killed]: ImageState.Failed,
};

/** The product state of an IMS status; undefined for `deleted` (not listed). A status IMS adds later counts as unusable. */
export const stateOfStatus = (status: string): ImageState | undefined =>
  status === ImsImageStatus.Deleted ? undefined : (STATE_OF[status] ?? ImageState.Unavailable);

/** The IMS statuses behind a product state (Unavailable has none: only unknown statuses map to it). */
export const statusesOfState = (state: ImageState): readonly string[] =>
  Object.entries(STATE_OF)
    .filter(([, s]) => s === state)
    .map(([status]) => status);

const GIB = 1024 ** 3;

/** GiB from `__image_size` (bytes, rounded up), else `min_disk`. */
export const sizeGiBOf = (image: ImsImage): number => {
  const bytes = image.__image_size === undefined || image.__image_size === null ? 0 : Number(image.__image_size);
  if (bytes > 0) return Math.ceil(bytes / GIB);
  return image.min_disk ?? 0;
};

const isoOrUndefined = (text: string | undefined): string | undefined => (text === undefined || text === '' ? undefined : new Date(text).toISOString());

/** The product's view of a listed image; undefined for a deleted one. */
export const toCloudImage = (region: string, image: ImsImage): CloudImage | undefined => {
  const state = stateOfStatus(image.status);
  if (state === undefined) return undefined;
  const description = image.__description ?? undefined;
  return {
    id: image.id,
    region,
    name: image.name,
    description: description === '' ? undefined : description,
    state,
    sizeGiB: sizeGiBOf(image),
    tags: fromImsTags(image.tags),
    createdAt: isoOrUndefined(image.created_at),
    encrypted: image.__system__cmkid !== undefined && image.__system__cmkid !== null && image.__system__cmkid !== '',
  };
};
