import { imageNotFound } from '../errors';
import type { Route } from './route';

/**
 * GET /v2/images/{image_id}/members (OpenStack native): the projects the image is shared with, in
 * the Glance form. Only the owner's project sees an image's members here.
 */
export const listMembers: Route = {
  action: 'GlanceListImageMembers',
  method: 'GET',
  pattern: /^\/v2\/images\/(?<imageId>[^/]+)\/members$/,
  handle(context) {
    const image = context.state.images.get(context.params.imageId ?? '');
    if (image === undefined || image.region !== context.region || image.owner !== context.projectId || image.deletedAt !== undefined) throw imageNotFound(404);
    const at = new Date(image.updatedAt).toISOString();
    const members = [...image.members].map((member) => ({
      member_id: member,
      image_id: image.id,
      status: 'pending',
      created_at: at,
      updated_at: at,
      schema: '/v2/schemas/member',
    }));
    return { status: 200, body: { members, schema: '/v2/schemas/members' } };
  },
};
