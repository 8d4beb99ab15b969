import { badRequest, imageNotFound, imsError } from '../errors';
import { type Route, isRecord } from './route';
import { checkPathProject } from './show-job';

const KEY = /^[A-Za-z0-9_\-\u4e00-\u9fff]{1,36}$/;
const VALUE = /^[A-Za-z0-9_.\-\u4e00-\u9fff]{0,43}$/;
const MAX_TAGS = 10;

const invalidTag = () => imsError(400, 'IMG.0115', 'The image tag is invalid.');

/**
 * POST /v2/{project_id}/images/{image_id}/tags/action: create (add or update) or delete, idempotent.
 * Keys ≤36 of letters, digits, `_`, `-`, CJK; values ≤43, also `.`; at most 10 per image.
 */
export const tagsAction: Route = {
  action: 'BatchAddOrDeleteTags',
  method: 'POST',
  pattern: /^\/v2\/(?<projectId>[^/]+)\/images\/(?<imageId>[^/]+)\/tags\/action$/,
  handle(context) {
    checkPathProject(context);
    const image = context.state.images.get(context.params.imageId ?? '');
    if (image === undefined || image.region !== context.region || image.owner !== context.projectId || image.deletedAt !== undefined) throw imageNotFound(404);
    const body = context.body;
    if (!isRecord(body) || (body.action !== 'create' && body.action !== 'delete') || !Array.isArray(body.tags)) throw badRequest();
    const tags = body.tags.map((tag: unknown) => {
      if (!isRecord(tag) || typeof tag.key !== 'string') throw invalidTag();
      const value = tag.value ?? '';
      if (typeof value !== 'string') throw invalidTag();
      return [tag.key, value] as const;
    });
    if (new Set(tags.map(([key]) => key)).size !== tags.length) throw invalidTag();
    if (body.action === 'delete') {
      for (const [key] of tags) image.tags.delete(key);
    } else {
      if (tags.some(([key, value]) => !KEY.test(key) || !VALUE.test(value))) throw invalidTag();
      const merged = new Map(image.tags);
      for (const [key, value] of tags) merged.set(key, value);
      if (merged.size > MAX_TAGS) throw imsError(400, 'IMG.0116', 'The number of image tags exceeds the quota.');
      image.tags.clear();
      for (const [key, value] of merged) image.tags.set(key, value);
    }
    image.updatedAt = context.state.nowMs();
    return { status: 204 };
  },
};
