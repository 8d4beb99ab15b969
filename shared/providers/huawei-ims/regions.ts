/**
 * The IMS regions the official Node SDK knows (its region map, services/ims/v2/ImsRegion.ts at
 * 3.1.209: 33 ids). A region outside this list is refused unless the provider is told about it.
 */
export const IMS_REGION_IDS = [
  'af-south-1', 'cn-north-4', 'cn-north-1', 'cn-east-2', 'cn-east-3', 'cn-south-1', 'cn-southwest-2',
  'ap-southeast-2', 'ap-southeast-1', 'ap-southeast-3', 'cn-north-2', 'cn-south-2', 'cn-north-9',
  'la-south-2', 'sa-brazil-1', 'la-north-2', 'na-mexico-1', 'ap-southeast-4', 'cn-south-4', 'tr-west-1',
  'me-east-1', 'ae-ad-1', 'cn-east-4', 'eu-west-101', 'cn-east-5', 'eu-west-0', 'my-kualalumpur-1',
  'af-north-1', 'ru-moscow-1', 'ap-southeast-5', 'cn-north-12', 'cn-north-11', 'cn-southwest-3',
] as const;

/**
 * Where the larger cross-region size cap applies: both ends among CN South-Guangzhou, CN
 * East-Shanghai1, CN East-Shanghai2 and CN North-Beijing4 (IMS API reference, cross-region copy).
 */
export const LARGE_COPY_REGIONS: ReadonlySet<string> = new Set(['cn-south-1', 'cn-east-3', 'cn-east-2', 'cn-north-4']);

/** Cross-region copy size limits, GiB (the docs say GB; we read them as binary to stay on the safe side). */
export const COPY_SIZE_CAP_GIB = 128;
export const LARGE_COPY_SIZE_CAP_GIB = 300;

/** The size cap of a copy from one region to another. */
export const copySizeCapGiB = (sourceRegion: string, destinationRegion: string): number =>
  LARGE_COPY_REGIONS.has(sourceRegion) && LARGE_COPY_REGIONS.has(destinationRegion) ? LARGE_COPY_SIZE_CAP_GIB : COPY_SIZE_CAP_GIB;

/**
 * What a Huawei region id looks like (`cn-north-4`, `ap-southeast-1`, `eu-west-101`,
 * `my-kualalumpur-1`): checked before a region ever goes into a URL.
 */
export const REGION_ID_PATTERN = /^[a-z]{2}-[a-z]{2,20}-[0-9]{1,3}$/;

export const isRegionId = (value: string): boolean => REGION_ID_PATTERN.test(value);
