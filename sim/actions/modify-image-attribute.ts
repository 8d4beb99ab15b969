import { BOOT_MODES, type BootMode, SimImageStatus } from '../model';
import { checkDescription, checkImageFamily, checkImageName } from '../naming-rules';
import { optional, required } from '../params';
import { SimApiError, imageNotFound, invalidParameter, regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';

const STATUSES = [SimImageStatus.Deprecated, SimImageStatus.Available] as const;

/**
 * Name, description, family, boot mode, and Deprecated ⇄ Available (deprecate instead of delete).
 * A shared image must be unshared before it can be deprecated; only Available and Deprecated
 * images move between the two. Everything is checked before anything changes.
 */
export const modifyImageAttribute: ActionHandler = ({ state, params }) => {
  const region = required(params, 'RegionId');
  const imageId = required(params, 'ImageId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const name = optional(params, 'ImageName');
  if (name !== undefined) checkImageName(name);
  const description = optional(params, 'Description');
  if (description !== undefined) checkDescription(description);
  const family = optional(params, 'ImageFamily');
  if (family !== undefined) checkImageFamily(family);
  const rawBootMode = optional(params, 'BootMode');
  if (rawBootMode !== undefined && !(BOOT_MODES as readonly string[]).includes(rawBootMode)) {
    throw invalidParameter('BootMode', `expected one of ${BOOT_MODES.join(', ')}`);
  }
  const status = optional(params, 'Status');
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
    throw new SimApiError(400, 'InvalidStatus.ValueNotSupported', `The specified Status "${status}" is not supported: Deprecated or Available.`);
  }

  const image = state.findImage(region, imageId);
  if (!image || image.ownerAlias !== 'self') throw imageNotFound();
  if (name !== undefined && name !== image.name && state.imagesIn(region).some((other) => other.name === name)) {
    throw new SimApiError(400, 'InvalidImageName.Duplicated', 'The specified Image name has already been used.');
  }
  if (status !== undefined && status !== image.status) {
    if (image.status !== SimImageStatus.Available && image.status !== SimImageStatus.Deprecated) {
      throw new SimApiError(403, 'IncorrectImageStatus', `The image is ${image.status}; only Available and Deprecated images change between the two.`);
    }
    if (status === SimImageStatus.Deprecated && image.sharedWith.length > 0) {
      throw new SimApiError(403, 'OperationDenied', 'A shared image must be unshared before it can be deprecated.');
    }
  }

  if (name !== undefined) image.name = name;
  if (description !== undefined) image.description = description;
  if (family !== undefined) image.imageFamily = family;
  if (rawBootMode !== undefined) image.bootMode = rawBootMode as BootMode;
  if (status !== undefined) image.status = status as (typeof STATUSES)[number];
  return {};
};
