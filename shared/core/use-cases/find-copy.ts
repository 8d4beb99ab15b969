import { ALL_IMAGE_STATES, type CloudImage, ReplicaTag } from '../domain/image';
import type { Job } from '../domain/job';
import type { ImageCloud } from '../ports/image-cloud';

/**
 * Looks for the copy a job already made, by the job tag every copy carries. This is how a copy
 * whose CopyImage answer was lost, or whose dispatcher died, is found again instead of made twice.
 * Prefers a usable copy over a failed one.
 */
export const findCopyOf = async (images: ImageCloud, job: Job): Promise<CloudImage | undefined> => {
  const found = await images.listImages(job.destination.region, {
    tags: { [ReplicaTag.Job]: job.id },
    states: ALL_IMAGE_STATES,
    ownedBySelf: true,
  });
  const rank = (image: CloudImage) => ['available', 'pending', 'unavailable', 'failed'].indexOf(image.state);
  return [...found].sort((a, b) => rank(a) - rank(b))[0];
};
