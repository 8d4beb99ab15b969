import { createHash } from 'node:crypto';

/**
 * One job per (source region, source image, destination region), whichever policy or event asked
 * for it: the id is derived, so every duplicate request lands on the same row.
 */
export const jobIdFor = (sourceRegion: string, sourceImageId: string, destinationRegion: string): string =>
  `rj-${createHash('sha256').update(`${sourceRegion}\n${sourceImageId}\n${destinationRegion}`).digest('hex').slice(0, 24)}`;

/**
 * The provider's idempotency token for one copy attempt. A retried CopyImage with the same token
 * returns the same copy instead of a second one; a new attempt gets a new token. At most 64 ASCII
 * characters (Alibaba's limit): 27 + at most 2 × 6 digits here.
 */
export const clientTokenFor = (job: { id: string; round: number; attempt: number }): string =>
  `${job.id}-r${job.round}-a${job.attempt}`;
