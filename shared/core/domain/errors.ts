/**
 * The product's one error family. Every error that crosses a port is a ReplicationError with a
 * stable `code`; `retryable` tells the runtime what to do with the message that caused it:
 * rethrow so the trigger redelivers (retryable), or record it and acknowledge (terminal).
 */
export class ReplicationError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  /** Free-form, non-secret facts that help an operator (region, image id, HTTP status). */
  readonly details: Readonly<Record<string, string | number | boolean | undefined>>;

  constructor(
    code: string,
    message: string,
    options: {
      retryable: boolean;
      cause?: unknown;
      details?: Record<string, string | number | boolean | undefined>;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable;
    this.details = options.details ?? {};
  }
}

/** Worth trying again later: throttling, 5xx, timeouts, optimistic-lock conflicts. */
export class RetryableError extends ReplicationError {
  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; details?: Record<string, string | number | boolean | undefined> } = {},
  ) {
    super(code, message, { ...options, retryable: true });
  }
}

/** Trying again will not help: bad input, missing image, quota, permissions. */
export class TerminalError extends ReplicationError {
  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; details?: Record<string, string | number | boolean | undefined> } = {},
  ) {
    super(code, message, { ...options, retryable: false });
  }
}

/** A message or event that does not match its contract. Goes to the dead-letter path. */
export class InvalidInputError extends TerminalError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, string | number | boolean | undefined> } = {}) {
    super('InvalidInput', message, options);
  }
}

/** The configuration is wrong; the process cannot do anything useful. */
export class ConfigError extends TerminalError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('InvalidConfig', message, options);
  }
}

/** Optimistic concurrency lost: somebody else updated the row first. Re-read and decide again. */
export class VersionConflictError extends RetryableError {
  constructor(jobId: string, expectedVersion: number, options: { cause?: unknown } = {}) {
    super('VersionConflict', `job ${jobId} was changed by another writer (expected version ${expectedVersion})`, {
      ...options,
      details: { jobId, expectedVersion },
    });
  }
}

/**
 * A deletion that removed the copy's image and not yet all it held (a snapshot's deletion failed):
 * the image is gone for good, so the job must never be told it is still there. Retryable or not
 * as the failure was; the deletion is tried again from where it stopped.
 */
export const COPY_PARTLY_DELETED = 'CopyPartlyDeleted';

/** A CopyPartlyDeleted failure, naming the parts (provider ids) not deleted yet: what stays billed if it is given up. */
export class PartialDeletionError extends ReplicationError {
  readonly remaining: readonly string[];

  constructor(
    message: string,
    options: { retryable: boolean; remaining: readonly string[]; cause?: unknown; details?: Record<string, string | number | boolean | undefined> },
  ) {
    super(COPY_PARTLY_DELETED, message, options);
    this.remaining = [...options.remaining];
  }
}

export const isReplicationError = (error: unknown): error is ReplicationError => error instanceof ReplicationError;

/** Anything we did not classify is treated as retryable: losing work is worse than a redelivery. */
export const isRetryable = (error: unknown): boolean => (isReplicationError(error) ? error.retryable : true);

export const errorCode = (error: unknown): string => (isReplicationError(error) ? error.code : 'Unexpected');

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
