import { SimApiError } from './sim-errors';

const RESERVED_PREFIX = /^(acs:|aliyun)/i;
const URL_PREFIX = /^https?:\/\//i;

/** 2–128 characters, a letter first, then letters, digits and `.:_-`; no reserved prefix or URL. */
export const checkImageName = (name: string): void => {
  const shaped = /^\p{L}[\p{L}\p{N}.:_-]{1,127}$/u.test(name);
  if (!shaped || RESERVED_PREFIX.test(name) || URL_PREFIX.test(name) || name.includes('://')) {
    throw new SimApiError(
      400,
      'InvalidImageName.Malformed',
      'The specified image name is wrongly formed: 2 to 128 characters, starting with a letter, containing letters, digits, periods (.), colons (:), underscores (_) and hyphens (-), not starting with acs: or aliyun, and not containing http:// or https://.',
    );
  }
};

export const checkDescription = (description: string): void => {
  if (description.length < 2 || description.length > 256 || URL_PREFIX.test(description)) {
    throw new SimApiError(
      400,
      'InvalidDescription.Malformed',
      'The specified description is wrongly formed: 2 to 256 characters, not starting with http:// or https://.',
    );
  }
};

export const checkTag = (key: string, value: string | undefined): void => {
  if (key.length > 128 || RESERVED_PREFIX.test(key) || URL_PREFIX.test(key)) {
    throw new SimApiError(400, 'InvalidTagKey.Malformed', `The specified tag key "${key}" is not valid: at most 128 characters, not starting with aliyun or acs:, no http(s)://.`);
  }
  if (value !== undefined && (value.length > 128 || URL_PREFIX.test(value))) {
    throw new SimApiError(400, 'InvalidTagValue.Malformed', `The value of tag "${key}" is not valid: at most 128 characters, no http(s)://.`);
  }
};

/** CopySnapshot's DestinationSnapshotName: 2–128 characters, a letter first, letters, digits and `.:_-`, no URL. */
export const checkSnapshotName = (name: string): void => {
  if (!/^\p{L}[\p{L}\p{N}.:_-]{1,127}$/u.test(name) || URL_PREFIX.test(name)) {
    throw new SimApiError(
      400,
      'InvalidSnapshotName.Malformed',
      'The specified snapshot name is wrongly formed: 2 to 128 characters, starting with a letter, containing letters, digits, colons (:), underscores (_), periods (.) and hyphens (-), not starting with http:// or https://.',
    );
  }
};

/** An image family name follows the image name rules (letter first, no acs:/aliyun prefix, no URL). */
export const checkImageFamily = (family: string): void => {
  const shaped = /^\p{L}[\p{L}\p{N}.:_-]{1,127}$/u.test(family);
  if (!shaped || RESERVED_PREFIX.test(family) || URL_PREFIX.test(family)) {
    throw new SimApiError(
      400,
      'InvalidImageFamily.Malformed',
      'The specified image family is wrongly formed: 2 to 128 characters, starting with a letter, not starting with acs: or aliyun, and not containing http:// or https://.',
    );
  }
};
