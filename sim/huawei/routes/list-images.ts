import { badRequest, imageNotFound, imsError } from '../errors';
import type { SimImsImage } from '../model';
import { imageView } from '../views';
import { type Route, type RouteContext, queryValue } from './route';

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 1000;

/** `gte:2026-11-20T08:00:00Z` and friends. */
const timeFilter = (raw: string, name: string): ((ms: number) => boolean) => {
  const match = /^(gt|gte|lt|lte|eq|neq):(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)$/.exec(raw);
  if (!match) throw badRequest(`The ${name} filter must be op:yyyy-MM-ddTHH:mm:ssZ.`);
  const at = Date.parse(match[2] ?? '');
  const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;
  switch (match[1]) {
    case 'gt': return (ms) => seconds(ms) > at;
    case 'gte': return (ms) => seconds(ms) >= at;
    case 'lt': return (ms) => seconds(ms) < at;
    case 'lte': return (ms) => seconds(ms) <= at;
    case 'eq': return (ms) => seconds(ms) === at;
    default: return (ms) => seconds(ms) !== at;
  }
};

const filtersOf = (context: RouteContext): Array<(image: SimImsImage) => boolean> => {
  const filters: Array<(image: SimImsImage) => boolean> = [];
  const exact = (name: string, read: (image: SimImsImage) => string) => {
    const wanted = queryValue(context, name);
    if (wanted !== undefined) filters.push((image) => read(image) === wanted);
  };
  exact('__imagetype', (image) => image.imageType);
  exact('owner', (image) => image.owner);
  exact('id', (image) => image.id);
  exact('name', (image) => image.name);
  exact('status', (image) => image.status);
  exact('visibility', (image) => (image.imageType === 'gold' ? 'public' : 'private'));
  const tag = queryValue(context, 'tag');
  if (tag !== undefined) {
    const at = tag.indexOf('=');
    const key = at < 0 ? tag : tag.slice(0, at);
    const value = at < 0 ? '' : tag.slice(at + 1);
    filters.push((image) => image.tags.get(key) === value);
  }
  const created = queryValue(context, 'created_at');
  if (created !== undefined) {
    const test = timeFilter(created, 'created_at');
    filters.push((image) => test(image.createdAt));
  }
  // Private images are visible to their owner only; public ones to all.
  filters.push((image) => image.imageType === 'gold' || image.owner === context.projectId);
  return filters;
};

/** GET /v2/cloudimages: filters, newest first, `marker` = the id to continue after, no next link. */
export const listImages: Route = {
  action: 'ListImages',
  method: 'GET',
  pattern: /^\/v2\/cloudimages$/,
  handle(context) {
    const rawLimit = queryValue(context, 'limit');
    const limit = rawLimit === undefined ? DEFAULT_LIMIT : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw imsError(400, 'IMG.0001', `limit must be an integer from 1 to ${MAX_LIMIT}.`);
    const all = context.state.imagesIn(context.region);
    const marker = queryValue(context, 'marker');
    let start = 0;
    if (marker !== undefined) {
      const at = all.findIndex((image) => image.id === marker);
      if (at < 0) throw imageNotFound();
      start = at + 1;
    }
    const filters = filtersOf(context);
    const page = all.slice(start).filter((image) => filters.every((keep) => keep(image))).slice(0, limit);
    return { status: 200, body: { images: page.map(imageView) } };
  },
};
