/**
 * Retry and timeout policy, named once. Seconds unless the name says otherwise.
 */

/** Backoff before a failed copy is tried again: base · 2^(attempt-1), capped. */
export const COPY_RETRY_BASE_SECONDS = 60;
export const COPY_RETRY_MAX_SECONDS = 30 * 60;

/**
 * The start-copy function's timeout: Function Compute ends an invocation there, wherever it is.
 * s.yaml and s.prod.yaml deploy this value (test/deploy/s-yaml.test.ts holds them to it).
 */
export const START_COPY_TIMEOUT_SECONDS = 300;

/** Beyond the longest invocation: the claim's write, and two hosts whose clocks disagree a little. */
export const DISPATCH_LEASE_MARGIN_SECONDS = 60;

/**
 * How long a dispatch may stay unanswered before poll-status assumes the dispatcher died. Longer
 * than any start-copy invocation lives: a dispatcher still running is never given up on, so it
 * can never submit a copy after its job was dispatched again (IMS takes no idempotency token).
 */
export const DISPATCH_LEASE_SECONDS = START_COPY_TIMEOUT_SECONDS + DISPATCH_LEASE_MARGIN_SECONDS;

/** Back-off after the provider throttles us or refuses a concurrent copy of one source image. */
export const DISPATCH_DEFER_SECONDS = 30;

/** A pending notification not delivered within this long is enqueued again. */
export const NOTIFICATION_REQUEUE_SECONDS = 300;

/** Default copy timeout when a policy does not set one: large images over slow links take hours. */
export const DEFAULT_COPY_TIMEOUT_SECONDS = 12 * 60 * 60;
export const DEFAULT_MAX_COPY_ATTEMPTS = 3;

/** Alibaba runs at most five copy tasks per region; more are queued on their side. */
export const DEFAULT_MAX_CONCURRENT_COPIES_PER_REGION = 5;

/** Webhooks: per-attempt timeout, tries within one invocation, and total tries before giving up. */
export const WEBHOOK_TIMEOUT_MS = 5_000;
export const WEBHOOK_TRIES_PER_INVOCATION = 3;
export const WEBHOOK_BACKOFF_BASE_MS = 200;
export const WEBHOOK_MAX_TOTAL_ATTEMPTS = 9;

export const copyRetryDelaySeconds = (failedAttempt: number): number =>
  Math.min(COPY_RETRY_BASE_SECONDS * 2 ** Math.max(0, failedAttempt - 1), COPY_RETRY_MAX_SECONDS);

/** A failed job may be reopened (a request, the nightly sweep) this long after it ended: base · 2^(round-1), capped under a day so every nightly sweep still can. */
export const REOPEN_BASE_SECONDS = 10 * 60;
export const REOPEN_MAX_SECONDS = 12 * 60 * 60;
export const reopenDelaySeconds = (round: number): number => Math.min(REOPEN_BASE_SECONDS * 2 ** Math.max(0, round - 1), REOPEN_MAX_SECONDS);

/** Between notify invocations for a webhook still failing: 30 s · 2^(attempts-1), at most an hour. */
export const webhookRedeliverySeconds = (attempts: number): number => Math.min(30 * 2 ** Math.max(0, attempts - 1), 3600);

export const webhookBackoffMs = (triedTimes: number): number => WEBHOOK_BACKOFF_BASE_MS * 2 ** Math.max(0, triedTimes - 1);
