import { activeTaskOfImage, enqueueCopy } from '../copy-scheduler';
import { SimImageStatus } from '../model';
import { checkDescription, checkImageName, checkTag } from '../naming-rules';
import { rememberToken, replayedResource } from '../idempotency';
import { booleanParam, optional, required, tagEntries } from '../params';
import { SimApiError, imageNotFound, missingParameter, regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';

/** Beyond this, the API sends you to CopySnapshot + CreateImage. */
export const MAX_COPYABLE_IMAGE_GIB = 2048;

export const copyImage: ActionHandler = ({ state, params, faults }) => {
  const region = required(params, 'RegionId');
  const imageId = required(params, 'ImageId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const replayed = replayedResource(state, 'CopyImage', params);
  if (replayed !== undefined) return { ImageId: replayed };

  const destination = optional(params, 'DestinationRegionId');
  if (destination === undefined) throw missingParameter('DestinationRegionId');
  if (!state.hasRegion(destination)) {
    throw new SimApiError(400, 'DestinationRegion.NotFound', `The specified DestinationRegionId "${destination}" does not exist.`);
  }
  if (destination === region) {
    throw new SimApiError(403, 'IncorrectDestinationRegion', 'The destination region cannot be the region of the source image.');
  }
  const name = optional(params, 'DestinationImageName');
  if (name !== undefined) checkImageName(name);
  const description = optional(params, 'DestinationDescription');
  if (description !== undefined) checkDescription(description);
  const tags = tagEntries(params);
  for (const [key, value] of tags) checkTag(key, value);
  const encrypted = booleanParam(params, 'Encrypted');
  const kmsKeyId = optional(params, 'KMSKeyId');
  if (kmsKeyId !== undefined && encrypted !== true) {
    throw new SimApiError(400, 'InvalidParameter.EncryptedIllegal', 'KMSKeyId can only be specified when Encrypted is true.');
  }

  const source = state.findImage(region, imageId);
  if (!source) throw imageNotFound();
  if (source.ownerAlias !== 'self') {
    throw new SimApiError(403, 'OperationDenied.SameRegionOnly', 'Images shared with you can only be copied within their region.');
  }
  if (source.status !== SimImageStatus.Available) {
    throw new SimApiError(400, 'IncorrectImageStatus', 'The image not available.');
  }
  if (source.sizeGiB > MAX_COPYABLE_IMAGE_GIB) {
    throw new SimApiError(
      403,
      'SizeExceed.Image',
      'The size of the image exceeds the limit for copying. You can use the CopySnapshot API to copy your snapshots of the image and then create a new image from them.',
    );
  }
  const running = activeTaskOfImage(state, source.id);
  if (running && running.sourceImageId === source.id) {
    throw new SimApiError(
      400,
      'OperationDenied.ImageCopyConflict',
      'The same image cannot be copied concurrently. Please wait until the last copy is completed and try again.',
    );
  }
  const destinationName = name ?? source.name;
  if (state.imagesIn(destination).some((image) => image.name === destinationName)) {
    throw new SimApiError(400, 'InvalidImageName.Duplicated', 'The specified image name is already used in the destination region.');
  }
  const quota = state.copySettings.imageQuotaPerRegion;
  if (quota !== undefined && state.imagesIn(destination).length >= quota) {
    throw new SimApiError(403, 'QuotaExceed.Image', `The number of images exceeds the limit (${quota}).`);
  }

  const copy = enqueueCopy(state, {
    source,
    destinationRegion: destination,
    name: destinationName,
    description: description ?? source.description,
    tags: tags.map(([key, value]) => [key, value ?? ''] as const),
    encrypted: encrypted ?? false,
    kmsKeyId,
    resourceGroupId: optional(params, 'ResourceGroupId') ?? '',
    fails: faults.copyShouldFail('CopyImage'),
  });
  rememberToken(state, 'CopyImage', params, copy.id);
  return { ImageId: copy.id };
};
