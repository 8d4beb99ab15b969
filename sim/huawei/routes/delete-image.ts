import { imageNotFound, imsError } from '../errors';
import { ImsImageStatus } from '../model';
import type { Route } from './route';

/**
 * DELETE /v2/images/{image_id} (OpenStack native): 204, after which the image is listed as
 * `deleted` for a while. An image still being made cannot be deleted (IMG.0090).
 */
export const deleteImage: Route = {
  action: 'GlanceDeleteImage',
  method: 'DELETE',
  pattern: /^\/v2\/images\/(?<imageId>[^/]+)$/,
  handle(context) {
    const image = context.state.images.get(context.params.imageId ?? '');
    if (image === undefined || image.region !== context.region || image.deletedAt !== undefined) throw imageNotFound(404);
    if (image.owner !== context.projectId) throw imsError(403, 'IMG.0092', 'The image can only be deleted by the owner.');
    if (image.status === ImsImageStatus.Queued || image.status === ImsImageStatus.Saving) {
      throw imsError(400, 'IMG.0090', 'The image being created cannot be deleted.');
    }
    image.status = ImsImageStatus.Deleted;
    image.deletedAt = context.state.nowMs();
    image.updatedAt = image.deletedAt;
    return { status: 204 };
  },
};
