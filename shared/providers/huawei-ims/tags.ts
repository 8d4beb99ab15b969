import { ReplicaTag } from '../../core/domain/image';
import type { ImsTag } from './client';

/**
 * IMS image tags are narrower than the product's: a key is at most 36 characters of letters,
 * digits, `_`, `-` (and CJK); a value at most 43 of the same plus `.`; at most 10 tags per image
 * (IMS API reference, image tag data formats and batch tag API). The product's own keys carry a
 * `:` (`image-replicator:managed`), so they are stored under fixed Huawei spellings and read back.
 */
export const MAX_TAGS_PER_IMAGE = 10;
const KEY_PATTERN = /^[A-Za-z0-9_\-\u4e00-\u9fff]{1,36}$/;
const VALUE_PATTERN = /^[A-Za-z0-9_.\-\u4e00-\u9fff]{0,43}$/;

/** The product's keys as stored on a Huawei image. */
export const HUAWEI_REPLICA_TAG_KEYS: Readonly<Record<string, string>> = {
  [ReplicaTag.Managed]: 'image-replicator_managed',
  [ReplicaTag.SourceImage]: 'image-replicator_source-image',
  [ReplicaTag.SourceRegion]: 'image-replicator_source-region',
  [ReplicaTag.Job]: 'image-replicator_job',
};

const PRODUCT_KEY_OF: ReadonlyMap<string, string> = new Map(Object.entries(HUAWEI_REPLICA_TAG_KEYS).map(([product, huawei]) => [huawei, product]));

export const huaweiTagKey = (key: string): string => HUAWEI_REPLICA_TAG_KEYS[key] ?? key;

/** Why a set of tags cannot be stored on a Huawei image, or undefined when it can. */
export const tagProblem = (tags: Readonly<Record<string, string>>): string | undefined => {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS_PER_IMAGE) return `${entries.length} tags, but an IMS image holds at most ${MAX_TAGS_PER_IMAGE}`;
  for (const [key, value] of entries) {
    if (!KEY_PATTERN.test(huaweiTagKey(key))) return `tag key ${JSON.stringify(key.slice(0, 60))} is not an IMS tag key (≤36 letters, digits, _ or -)`;
    if (!VALUE_PATTERN.test(value)) return `tag value of ${JSON.stringify(key.slice(0, 60))} is not an IMS tag value (≤43 letters, digits, _, . or -)`;
  }
  return undefined;
};

/** The product's tags as IMS tags, keys translated. */
export const toImsTags = (tags: Readonly<Record<string, string>>): ImsTag[] =>
  Object.entries(tags).map(([key, value]) => ({ key: huaweiTagKey(key), value }));

/** The `tags` strings of a listed image (`key=value`) as the product's tags, our keys translated back. */
export const fromImsTags = (tags: readonly string[] | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) {
    const at = tag.indexOf('=');
    const key = at < 0 ? tag : tag.slice(0, at);
    if (key === '') continue;
    out[PRODUCT_KEY_OF.get(key) ?? key] = at < 0 ? '' : tag.slice(at + 1);
  }
  return out;
};
