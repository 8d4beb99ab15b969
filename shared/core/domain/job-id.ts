import { createHash } from 'node:crypto';
import { DEFAULT_ACCOUNT, ProviderId } from './provider';

/** Everything that makes two requests the same job, whichever policy or event asked for it. */
export interface JobIdentity {
  readonly provider: ProviderId;
  readonly account: string;
  readonly sourceRegion: string;
  readonly sourceImageId: string;
  readonly destinationRegion: string;
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 24);

/**
 * One job per (provider, account, source region, source image, destination region): the id is
 * derived, so every duplicate request lands on the same row. Region ids collide across clouds
 * (ap-southeast-1 is Singapore on Alibaba and elsewhere on Huawei), hence the provider. Alibaba
 * jobs of the default account keep the id they had before providers and accounts existed, so a
 * table written by an earlier version goes on matching its copies.
 */
export const jobIdFor = (identity: JobIdentity): string => {
  const place = `${identity.sourceRegion}\n${identity.sourceImageId}\n${identity.destinationRegion}`;
  return identity.provider === ProviderId.Alibaba && identity.account === DEFAULT_ACCOUNT
    ? `rj-${digest(place)}`
    : `rj-${digest(`${identity.provider}\n${identity.account}\n${place}`)}`;
};

/**
 * The provider's idempotency token for one copy attempt. A retried call with the same token
 * returns the same copy instead of a second one; a new attempt gets a new token. At most 64 ASCII
 * characters (Alibaba's limit): 27 + at most 2 × 6 digits here.
 */
export const idempotencyTokenFor = (job: { id: string; round: number; attempt: number }): string =>
  `${job.id}-r${job.round}-a${job.attempt}`;
