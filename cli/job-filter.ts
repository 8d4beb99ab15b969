import { InvalidArgumentError } from 'commander';
import { type Job, JobStatus } from '../shared/core/domain/job';
import { PROVIDER_IDS } from '../shared/core/domain/provider';

export interface JobFilter {
  readonly policy?: string | undefined;
  readonly provider?: string | undefined;
  /** Matches the source or the destination region. */
  readonly region?: string | undefined;
  readonly status?: string | undefined;
}

const STATUSES: readonly string[] = Object.values(JobStatus);

/** `--provider`: one of the providers the product knows, or commander reports it (exit 2). */
export const providerOption = (value: string): string => {
  if (!(PROVIDER_IDS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${PROVIDER_IDS.join(', ')}.`);
  return value;
};

/** `--status`: one of the job statuses. */
export const statusOption = (value: string): string => {
  if (!STATUSES.includes(value)) throw new InvalidArgumentError(`expected one of ${STATUSES.join(', ')}.`);
  return value;
};

export const matches = (job: Job, filter: JobFilter): boolean =>
  (filter.policy === undefined || job.policy === filter.policy) &&
  (filter.provider === undefined || job.provider === filter.provider) &&
  (filter.region === undefined || job.source.region === filter.region || job.destination.region === filter.region) &&
  (filter.status === undefined || job.status === filter.status);
