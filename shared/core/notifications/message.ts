import { secondsBetween } from '../domain/clock';
import { type Job, JobStatus } from '../domain/job';
import type { ProviderId } from '../domain/provider';
import { boundedLine } from './text';
import * as z from '../zod';

/**
 * What a chat message says, provider- and platform-neutral. Every text field is bounded, one line
 * and inert (see text.ts); the channels escape it for their markup. The only link a message can
 * carry is `statusPageUrl`, built from the configured status-page base URL, never from job data.
 */

/**
 * Byte budgets per field: generous for real names (Alibaba and Huawei cap names at 128 chars).
 * The error message keeps more than any one platform shows, so each channel cuts it to its own
 * limit (WeCom 4 KiB in all, Slack 3,000 characters a section, Feishu 20 KB).
 */
export const FIELD_BYTES = {
  name: 256,
  id: 128,
  region: 64,
  policy: 64,
  errorCode: 128,
  errorMessage: 8192,
} as const;

export const Outcome = {
  Available: JobStatus.Available,
  Failed: JobStatus.Failed,
  TimedOut: JobStatus.TimedOut,
  Cancelled: JobStatus.Cancelled,
  /** Retention deleted the copy. */
  Pruned: JobStatus.Pruned,
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

export interface OutcomeSummary {
  readonly kind: 'outcome';
  readonly eventId: string;
  readonly jobId: string;
  readonly policy: string;
  readonly provider: ProviderId;
  readonly outcome: Outcome;
  readonly image: { readonly name: string; readonly id: string };
  readonly sourceRegion: string;
  readonly destinationRegion: string;
  readonly copyImageId: string | null;
  readonly attempt: number;
  /** Created → finished, as NotificationV1 counts it. */
  readonly durationSeconds: number | null;
  /** Copy started → finished: the provider's part of the wait. */
  readonly copySeconds: number | null;
  readonly sizeGiB: number | null;
  readonly finishedAt: string;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly statusPageUrl: string | null;
}

/** Several outcomes in one message, when a burst would exceed a webhook's rate budget. */
export interface OutcomeBatch {
  readonly kind: 'batch';
  readonly counts: Readonly<Record<Outcome, number>>;
  /** Oldest first, at most MAX_BATCH_ITEMS (failures kept before successes); the rest are only counted. */
  readonly items: readonly OutcomeSummary[];
  readonly omitted: number;
  readonly statusPageUrl: string | null;
}

export interface RegionStorage {
  readonly region: string;
  readonly copies: number;
  readonly addedGiB: number;
  /** Copies whose size was not known: the GiB figure is then a lower bound. */
  readonly unknownSize: number;
}

export interface SlowCopy {
  readonly imageName: string;
  readonly destinationRegion: string;
  readonly durationSeconds: number;
}

export interface DigestFailure {
  readonly imageName: string;
  readonly destinationRegion: string;
  readonly outcome: Outcome;
  readonly errorCode: string | null;
}

/** The nightly (or on-demand) summary for one policy and one webhook. */
export interface Digest {
  readonly kind: 'digest';
  readonly policy: string;
  readonly webhook: string;
  readonly window: { readonly from: string; readonly to: string };
  readonly copiesMade: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly cancelled: number;
  readonly pruned: number;
  /** Of the sizes of the copies pruned whose provider kept nothing of them. */
  readonly freedGiB: number;
  /** Pruned copies the provider kept a part of (a snapshot a disk was made from): still billed. */
  readonly prunedLeavingParts: number;
  readonly storage: readonly RegionStorage[];
  readonly slowest: readonly SlowCopy[];
  readonly failures: readonly DigestFailure[];
  readonly statusPageUrl: string | null;
}

export type ChatMessage = OutcomeSummary | OutcomeBatch | Digest;

/**
 * The configured status-page base URL: https, no credentials, no query or fragment, and a path
 * of characters that no chat markup gives a meaning to (so it can sit inside `[text](url)` or
 * `<url|text>` unescaped).
 */
export const StatusPageBaseUrl = z
  .string()
  .check(
    z.maxLength(512),
    z.regex(
      /^https:\/\/[a-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._/-]*)?$/,
      'expected an https URL without credentials, query or fragment, such as https://status.example.com/replication',
    ),
  );

/** Percent-encodes everything but letters, digits, dot and dash: stricter than encodeURIComponent. */
const encodeStrict = (value: string): string =>
  Array.from(new TextEncoder().encode(value), (byte) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9.-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');

/** A link to one job or one policy on the status page; undefined base, no link. */
export const statusPageLink = (baseUrl: string | undefined, query: { readonly job?: string; readonly policy?: string }): string | null => {
  if (baseUrl === undefined) return null;
  const base = z.parse(StatusPageBaseUrl, baseUrl);
  const params = Object.entries(query)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${encodeStrict(value)}`);
  return params.length === 0 ? base : `${base}?${params.join('&')}`;
};

const OUTCOME_BY_STATUS: Partial<Record<Job['status'], Outcome>> = {
  [JobStatus.Available]: Outcome.Available,
  [JobStatus.Failed]: Outcome.Failed,
  [JobStatus.TimedOut]: Outcome.TimedOut,
  [JobStatus.Cancelled]: Outcome.Cancelled,
  [JobStatus.Pruned]: Outcome.Pruned,
};

const seconds = (from: string | undefined, to: string | undefined): number | null => {
  if (from === undefined || to === undefined) return null;
  const value = Math.round(secondsBetween(from, to));
  return Number.isFinite(value) && value >= 0 ? value : null;
};

export interface SummaryOptions {
  readonly provider: ProviderId;
  /** Validated with StatusPageBaseUrl; absent, the message has no link. */
  readonly statusPageBaseUrl?: string | undefined;
  /** Used when a job has no finishedAt (it should have one once it has an outcome). */
  readonly now: Date;
}

/** A pruned copy is told as a problem only when the provider kept a part of it, which is still billed. */
const keptByProvider = (job: Job): OutcomeSummary['error'] => {
  const parts = job.leftBehind ?? [];
  if (parts.length === 0) return null;
  const first = parts[0]?.why ?? '';
  return {
    code: 'LeftBehind',
    message: boundedLine(`kept by the provider, still billed: ${parts.map((part) => part.id).join(', ')} (${first})`, FIELD_BYTES.errorMessage),
  };
};

/** The outcome of a finished job, as a chat message tells it. */
export const summarizeOutcome = (job: Job, options: SummaryOptions): OutcomeSummary => {
  const outcome = OUTCOME_BY_STATUS[job.status] ?? Outcome.Failed;
  const finishedAt = job.finishedAt ?? options.now.toISOString();
  const error =
    outcome === Outcome.Pruned
      ? keptByProvider(job)
      : outcome === Outcome.Available || job.lastError === undefined
        ? null
        : { code: boundedLine(job.lastError.code, FIELD_BYTES.errorCode), message: boundedLine(job.lastError.message, FIELD_BYTES.errorMessage) };
  return {
    kind: 'outcome',
    eventId: boundedLine(job.notification.eventId ?? job.id, FIELD_BYTES.id * 2),
    jobId: boundedLine(job.id, FIELD_BYTES.id),
    policy: boundedLine(job.policy, FIELD_BYTES.policy),
    provider: options.provider,
    outcome,
    image: { name: boundedLine(job.source.imageName, FIELD_BYTES.name), id: boundedLine(job.source.imageId, FIELD_BYTES.id) },
    sourceRegion: boundedLine(job.source.region, FIELD_BYTES.region),
    destinationRegion: boundedLine(job.destination.region, FIELD_BYTES.region),
    copyImageId: job.destinationImageId === undefined ? null : boundedLine(job.destinationImageId, FIELD_BYTES.id),
    attempt: job.attempt,
    durationSeconds: seconds(job.createdAt, finishedAt),
    copySeconds: seconds(job.copyStartedAt, finishedAt),
    sizeGiB: job.source.sizeGiB ?? null,
    finishedAt,
    error,
    statusPageUrl: statusPageLink(options.statusPageBaseUrl, { job: job.id }),
  };
};

/** A batch lists at most this many outcomes; a chat message is read on a phone. */
export const MAX_BATCH_ITEMS = 50;

const NO_COUNTS: Readonly<Record<Outcome, number>> = { available: 0, failed: 0, timed_out: 0, cancelled: 0, pruned: 0 };

/** Outcomes held back by the rate budget, as one message. */
export const batchOutcomes = (summaries: readonly OutcomeSummary[], statusPageBaseUrl?: string): OutcomeBatch => {
  const counts = { ...NO_COUNTS };
  for (const summary of summaries) counts[summary.outcome] += 1;
  // When some must be left out, failures are kept first: they are what a reader acts on.
  const failures = summaries.filter((summary) => summary.outcome !== Outcome.Available && summary.outcome !== Outcome.Pruned);
  const successes = summaries.filter((summary) => summary.outcome === Outcome.Available || summary.outcome === Outcome.Pruned);
  const kept = [...failures, ...successes].slice(0, MAX_BATCH_ITEMS).sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
  return {
    kind: 'batch',
    counts,
    items: kept,
    omitted: summaries.length - kept.length,
    statusPageUrl: statusPageLink(statusPageBaseUrl, {}),
  };
};
