import { ImageType, type ImsClient, type ImsTarget } from './client';
import { markedJobId } from './copy-identity';
import { ImsImageStatus } from './image-mapping';
import type { ImsImage } from './schemas';

/** Usable first, then in progress, then failed: the copy a job should be judged by. */
const RANK: Readonly<Record<string, number>> = {
  [ImsImageStatus.Active]: 0,
  [ImsImageStatus.Saving]: 1,
  [ImsImageStatus.Queued]: 2,
  [ImsImageStatus.Killed]: 3,
};

/**
 * The copies of one job in its destination region: exact name (IMS filters on it), then our job
 * marker at the end of the description, so an image somebody else named alike is never taken.
 * Deleted images are not copies any more. Best first.
 */
export const findJobCopies = async (client: ImsClient, destination: ImsTarget, name: string, jobId: string): Promise<ImsImage[]> => {
  const images = await client.listImages(destination, { imageType: ImageType.Private, name, owner: destination.projectId });
  return images
    .filter((image) => image.name === name && markedJobId(image.__description) === jobId && image.status !== ImsImageStatus.Deleted)
    .sort((a, b) => (RANK[a.status] ?? 9) - (RANK[b.status] ?? 9) || (b.created_at ?? '').localeCompare(a.created_at ?? ''));
};

export const isLive = (image: ImsImage): boolean =>
  image.status === ImsImageStatus.Active || image.status === ImsImageStatus.Saving || image.status === ImsImageStatus.Queued;
