import { isRetryable } from './errors';

/**
 * The product's one retry helper: a bounded number of attempts with exponential back-off and
 * jitter, retrying only what the error family calls retryable. The wait is injected, so tests never
 * sleep; the random source is injected, so a seeded run waits the same every time.
 */
export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** `equal`: half the delay fixed, half random (spreads a crowd of retries without ever waiting 0). */
  readonly jitter?: 'none' | 'equal' | undefined;
  readonly pause: (ms: number) => Promise<void>;
  readonly random?: (() => number) | undefined;
  /** Defaults to the error family's classification. */
  readonly retryable?: ((error: unknown) => boolean) | undefined;
  /** Told before each wait: for logs and counters. */
  readonly onRetry?: ((error: unknown, attempt: number, delayMs: number) => void) | undefined;
}

/** The wait before attempt `attempt + 1`, after `attempt` failed. */
export const backoffDelayMs = (attempt: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'jitter' | 'random'>): number => {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  if (options.jitter !== 'equal') return ceiling;
  const random = options.random ?? Math.random;
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
};

export const withRetry = async <T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> => {
  const retryable = options.retryable ?? isRetryable;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !retryable(error)) throw error;
      const delay = backoffDelayMs(attempt, options);
      options.onRetry?.(error, attempt, delay);
      await options.pause(delay);
    }
  }
};
