import { ConfigError, ReplicationError, RetryableError, TerminalError } from '../../core/domain/errors';
import type { MessageQueue, QueueConsumer, ReceivedMessage } from '../../core/ports/message-queue';
import { lazy } from '../lazy';
import { type MnsAnswer, MnsClient, MnsServiceError, StoreNetworkError } from './mns-client';
import * as z from '../../core/zod';

/** Tries per call; then the backoff between tries, doubling. */
export const MNS_MAX_ATTEMPTS = 4;
export const MNS_BACKOFF_BASE_MS = 100;
export const MNS_BACKOFF_MAX_MS = 2_000;
/** Short enough that a function is not stuck on one call; a long poll gets its wait on top. */
export const MNS_READ_TIMEOUT_MS = 10_000;

export const MNS_MAX_DELAY_SECONDS = 604_800;
export const MNS_MAX_VISIBILITY_SECONDS = 43_200;
export const MNS_MAX_BATCH_RECEIVE = 16;
export const MNS_MAX_WAIT_SECONDS = 30;
/** The service limit applies to the body as sent, and base64 makes it 4/3 larger. */
export const MNS_MAX_MESSAGE_BYTES = 65_536;
export const MNS_MAX_BODY_BYTES = (MNS_MAX_MESSAGE_BYTES / 4) * 3;

export interface MnsCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** The STS token FC hands the function; sent as `security-token`. */
  readonly securityToken?: string | undefined;
}

interface CommonOptions {
  readonly queueName: string;
  /** Long polling for `receive`, 0–30 s. Defaults to 0: operator tools should not hang. */
  readonly receiveWaitSeconds?: number | undefined;
  /** Where the backoff waits; tests pass one that records instead of sleeping. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

export type MnsMessageQueueOptions =
  | (CommonOptions & {
      readonly accountId: string;
      readonly region: string;
      /** http(s)://...; defaults to https://<account>.mns.<region>.aliyuncs.com. */
      readonly endpoint?: string | undefined;
      readonly credentials: MnsCredentials;
    })
  | (CommonOptions & { readonly client: MnsClient });

export interface MnsQueueSettings {
  readonly visibilityTimeout: number;
  readonly messageRetentionPeriod: number;
  readonly maximumMessageSize: number;
  readonly pollingWaitSeconds: number;
  readonly deadLetter?: { readonly queueName: string; readonly maxReceiveCount: number } | undefined;
}

export interface EnsureQueueResult {
  readonly action: 'created' | 'updated' | 'unchanged';
  /** Always false: see ensureQueue. The caller tells the operator to set it another way. */
  readonly deadLetterPolicyApplied: false;
}

/** The shapes of options and answers, built on first use (../lazy). */
const schemas = lazy(() => {
  const clientOptionsSchema = z.object({
    accountId: z.string().check(z.minLength(1)),
    region: z.string().check(z.minLength(1)),
    endpoint: z.optional(z.string().check(z.regex(/^https?:\/\/\S+$/, 'must start with http:// or https://'))),
    queueName: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,255}$/, 'letters, digits and hyphens, starting with a letter or digit')),
    credentials: z.object({
      accessKeyId: z.string().check(z.minLength(1)),
      accessKeySecret: z.string().check(z.minLength(1)),
      securityToken: z.optional(z.string().check(z.minLength(1))),
    }),
  });

  const numeric = z.pipe(z.string().check(z.regex(/^-?\d+$/)), z.transform(Number));

  const receivedSchema = z.object({
    MessageId: z.string().check(z.minLength(1)),
    ReceiptHandle: z.string().check(z.minLength(1)),
    MessageBody: z.string(),
    EnqueueTime: numeric,
    DequeueCount: numeric,
  });
  const receivedBatchSchema = z.array(receivedSchema).check(z.minLength(1));
  const sentSchema = z.tuple([z.object({ MessageId: z.string().check(z.minLength(1)) })]);
  const visibilitySchema = z.tuple([z.object({ ReceiptHandle: z.string().check(z.minLength(1)) })]);
  const queueAttributesSchema = z.tuple([
    z.object({
      VisibilityTimeout: numeric,
      MessageRetentionPeriod: numeric,
      MaximumMessageSize: numeric,
      PollingWaitSeconds: numeric,
    }),
  ]);

  const settingsSchema = z.object({
    visibilityTimeout: z.number().check(z.int(), z.gte(1), z.lte(MNS_MAX_VISIBILITY_SECONDS)),
    messageRetentionPeriod: z.number().check(z.int(), z.gte(60), z.lte(604_800)),
    maximumMessageSize: z.number().check(z.int(), z.gte(1024), z.lte(MNS_MAX_MESSAGE_BYTES)),
    pollingWaitSeconds: z.number().check(z.int(), z.gte(0), z.lte(MNS_MAX_WAIT_SECONDS)),
  });
  return { clientOptionsSchema, receivedSchema, receivedBatchSchema, sentSchema, visibilitySchema, queueAttributesSchema, settingsSchema };
});

/** Codes worth another try even when the status is not 5xx. */
const RETRYABLE_CODES = new Set(['InternalError', 'ServiceUnavailable', 'Throttling', 'TimeExpired']);
const MALFORMED = 'MalformedResponse';
const STALE_HANDLE_CODES = new Set(['ReceiptHandleError', 'MessageNotExist']);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

interface Failure {
  readonly code: string;
  /** What the caller should do with the work: try again later or give up. */
  readonly retryable: boolean;
  /** Whether another try within this call may succeed. */
  readonly transient: boolean;
  readonly status?: number | undefined;
  readonly requestId?: string | undefined;
  readonly cause: unknown;
}

/** The client's errors: the service's code and status, or no answer at all. */
const classify = (error: unknown): Failure => {
  if (error instanceof MnsServiceError && error.code === MALFORMED) {
    // Same as an answer that parses but does not fit: the work is kept, not the call repeated now.
    return { code: MALFORMED, retryable: true, transient: false, status: error.status, requestId: error.requestId, cause: error };
  }
  if (error instanceof MnsServiceError) {
    const transient = error.status >= 500 || error.status === 429 || RETRYABLE_CODES.has(error.code);
    return { code: error.code, retryable: transient, transient, status: error.status, requestId: error.requestId, cause: error };
  }
  if (error instanceof StoreNetworkError) {
    return { code: error.code === 'ETIMEDOUT' ? 'Timeout' : 'NetworkError', retryable: true, transient: true, cause: error };
  }
  // Not worth repeating now, but an error we cannot classify must not lose the work.
  return { code: 'Unexpected', retryable: true, transient: false, cause: error };
};

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const mnsBackoffMs = (failedAttempt: number): number => Math.min(MNS_BACKOFF_BASE_MS * 2 ** (failedAttempt - 1), MNS_BACKOFF_MAX_MS);

const invalidArgument = (message: string): TerminalError => new TerminalError('InvalidArgument', message);

const requireInt = (value: number, min: number, max: number, what: string): number => {
  if (!Number.isInteger(value) || value < min || value > max) throw invalidArgument(`${what} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
};

/**
 * Bodies travel base64-encoded: the client escapes XML, but other producers and the @alicloud/mns
 * SDK did not, and base64 has no XML metacharacters, so every reader copes. The FC MNS trigger
 * is configured with `IsBase64Decode: true`, so the functions still receive the
 * plain JSON; `receive` here decodes for the pulling consumers.
 */
const encodeBody = (body: string): string => Buffer.from(body, 'utf8').toString('base64');

/** A body some other producer sent in plain text is handed over as it is. */
const decodeBody = (wire: string): string => {
  if (!BASE64.test(wire)) return wire;
  const decoded = Buffer.from(wire, 'base64').toString('utf8');
  return Buffer.from(decoded, 'utf8').toString('base64') === wire ? decoded : wire;
};

/** One MNS queue, through our own small client (./mns-client), as a producer and as a pulling consumer. */
export class MnsMessageQueue implements MessageQueue, QueueConsumer {
  readonly queueName: string;
  readonly #client: MnsClient;
  readonly #waitSeconds: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: MnsMessageQueueOptions) {
    this.queueName = options.queueName;
    this.#waitSeconds = options.receiveWaitSeconds ?? 0;
    this.#sleep = options.sleep ?? defaultSleep;
    if (!Number.isInteger(this.#waitSeconds) || this.#waitSeconds < 0 || this.#waitSeconds > MNS_MAX_WAIT_SECONDS) {
      throw new ConfigError(`MNS receiveWaitSeconds must be an integer from 0 to ${MNS_MAX_WAIT_SECONDS}`);
    }
    if ('client' in options) {
      this.#client = options.client;
      return;
    }
    const parsed = z.safeParse(schemas().clientOptionsSchema, options);
    if (!parsed.success) {
      // Only paths and issue texts: the values may be secrets.
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
      throw new ConfigError(`invalid MNS queue options: ${issues}`);
    }
    const { accountId, region, endpoint, credentials } = parsed.data;
    this.#client = new MnsClient({
      endpoint: endpoint ?? `https://${accountId}.mns.${region}.aliyuncs.com`,
      credentials,
      timeoutMs: Math.max(MNS_READ_TIMEOUT_MS, (this.#waitSeconds + 5) * 1000),
    });
  }

  async send(body: string, options: { readonly delaySeconds?: number | undefined } = {}): Promise<{ readonly messageId: string }> {
    const wire = encodeBody(body);
    if (wire.length > MNS_MAX_MESSAGE_BYTES) {
      throw new TerminalError('MessageTooLarge', `message body of ${Buffer.byteLength(body)} bytes exceeds ${MNS_MAX_BODY_BYTES} bytes (${MNS_MAX_MESSAGE_BYTES} once base64-encoded)`, {
        details: { queue: this.queueName },
      });
    }
    const delay = options.delaySeconds === undefined ? undefined : requireInt(options.delaySeconds, 0, MNS_MAX_DELAY_SECONDS, 'delaySeconds');
    const response = await this.#call('SendMessage', [201], () => this.#client.sendMessage(this.queueName, wire, delay));
    return { messageId: this.#parse(schemas().sentSchema, response, 'SendMessage')[0].MessageId };
  }

  async receive(max: number, visibilitySeconds: number): Promise<ReceivedMessage[]> {
    requireInt(visibilitySeconds, 1, MNS_MAX_VISIBILITY_SECONDS, 'visibilitySeconds');
    const count = Math.min(Math.floor(max), MNS_MAX_BATCH_RECEIVE);
    if (!(count >= 1)) return [];
    let response: MnsAnswer;
    try {
      response = await this.#call('ReceiveMessage', [200], () =>
        this.#client.batchReceiveMessage(this.queueName, count, this.#waitSeconds > 0 ? this.#waitSeconds : undefined),
      );
    } catch (error) {
      if (error instanceof ReplicationError && error.code === 'MessageNotExist') return [];
      throw error;
    }
    const received = this.#parse(schemas().receivedBatchSchema, response, 'ReceiveMessage');
    // MNS receives with the queue's own visibility timeout; the port asks for a per-call one, so
    // each message is re-timed, which also issues the handle the caller must use from now on.
    const retimed = await Promise.allSettled(received.map((message) => this.#changeVisibility('ReceiveMessage', message.ReceiptHandle, visibilitySeconds)));
    const messages: ReceivedMessage[] = [];
    retimed.forEach((outcome, index) => {
      const message = received[index];
      // A message we could not re-time stays hidden for the queue's timeout and comes back then.
      if (!message || outcome.status === 'rejected') return;
      messages.push({
        messageId: message.MessageId,
        receiptHandle: outcome.value,
        body: decodeBody(message.MessageBody),
        dequeueCount: message.DequeueCount,
        enqueuedAt: new Date(message.EnqueueTime),
      });
    });
    const firstFailure = retimed.find((outcome) => outcome.status === 'rejected');
    if (messages.length === 0 && firstFailure) throw firstFailure.reason;
    return messages;
  }

  async ack(receiptHandle: string): Promise<void> {
    await this.#withHandle('DeleteMessage', () =>
      this.#call('DeleteMessage', [204], () => this.#client.deleteMessage(this.queueName, receiptHandle)),
    );
  }

  async retryLater(receiptHandle: string, seconds: number): Promise<void> {
    // MNS takes 1 s at least; "now" therefore means one second from now.
    const timeout = Math.max(1, requireInt(seconds, 0, MNS_MAX_VISIBILITY_SECONDS, 'seconds'));
    await this.#withHandle('ChangeMessageVisibility', () => this.#changeVisibility('ChangeMessageVisibility', receiptHandle, timeout));
  }

  /**
   * Creates the queue or brings its attributes to `settings`; running it twice changes nothing.
   * The dead-letter policy is not set: the 2015-06-06 XML API's CreateQueue/SetQueueAttributes
   * carry no dead-letter fields. Set it in the console, with ROS
   * (`ALIYUN::MNS::Queue` DlqPolicy) or the newer OpenAPI; the result says it was not applied.
   */
  async ensureQueue(settings: MnsQueueSettings): Promise<EnsureQueueResult> {
    const parsed = z.safeParse(schemas().settingsSchema, settings);
    if (!parsed.success) throw invalidArgument(`invalid queue settings: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    const wanted = {
      VisibilityTimeout: parsed.data.visibilityTimeout,
      MessageRetentionPeriod: parsed.data.messageRetentionPeriod,
      MaximumMessageSize: parsed.data.maximumMessageSize,
      PollingWaitSeconds: parsed.data.pollingWaitSeconds,
    };
    const current = await this.#currentAttributes();
    if (!current) {
      try {
        const created = await this.#call('CreateQueue', [201, 204], () => this.#client.createQueue(this.queueName, wanted));
        return { action: created.status === 201 ? 'created' : 'unchanged', deadLetterPolicyApplied: false };
      } catch (error) {
        // Somebody created it between our look and our create: fall through and converge.
        if (!(error instanceof ReplicationError && error.code === 'QueueAlreadyExist')) throw error;
      }
    }
    const existing = current ?? (await this.#currentAttributes());
    const same = existing !== undefined && (Object.keys(wanted) as (keyof typeof wanted)[]).every((key) => existing[key] === wanted[key]);
    if (same) return { action: 'unchanged', deadLetterPolicyApplied: false };
    await this.#call('SetQueueAttributes', [204], () => this.#client.setQueueAttributes(this.queueName, wanted));
    return { action: 'updated', deadLetterPolicyApplied: false };
  }

  async #currentAttributes(): Promise<z.infer<ReturnType<typeof schemas>['queueAttributesSchema']>[0] | undefined> {
    try {
      const response = await this.#call('GetQueueAttributes', [200], () => this.#client.getQueueAttributes(this.queueName));
      return this.#parse(schemas().queueAttributesSchema, response, 'GetQueueAttributes')[0];
    } catch (error) {
      if (error instanceof ReplicationError && error.code === 'QueueNotExist') return undefined;
      throw error;
    }
  }

  async #changeVisibility(operation: string, receiptHandle: string, seconds: number): Promise<string> {
    const response = await this.#call(operation, [200], () => this.#client.changeMessageVisibility(this.queueName, receiptHandle, seconds));
    return this.#parse(schemas().visibilitySchema, response, operation)[0].ReceiptHandle;
  }

  /** The port's one code for "this handle no longer acknowledges anything". */
  async #withHandle(operation: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (error instanceof ReplicationError && STALE_HANDLE_CODES.has(error.code)) {
        throw new TerminalError('ReceiptHandleInvalid', `MNS ${operation} on queue ${this.queueName}: the receipt handle is stale or invalid (${error.code})`, {
          cause: error,
          details: { ...error.details, providerCode: error.code },
        });
      }
      throw error;
    }
  }

  async #call(operation: string, expected: readonly number[], invoke: () => Promise<MnsAnswer>): Promise<MnsAnswer> {
    for (let attempt = 1; ; attempt += 1) {
      let failure: Failure;
      try {
        const response = await invoke();
        if (expected.includes(response.status)) return response;
        failure = { code: `HttpStatus${response.status}`, retryable: true, transient: false, status: response.status, cause: undefined };
      } catch (error) {
        failure = classify(error);
      }
      if (!failure.transient || attempt >= MNS_MAX_ATTEMPTS) throw this.#toError(operation, failure, attempt);
      await this.#sleep(mnsBackoffMs(attempt));
    }
  }

  #toError(operation: string, failure: Failure, attempts: number): ReplicationError {
    const details = { queue: this.queueName, operation, status: failure.status, requestId: failure.requestId, attempts };
    const facts = [failure.status === undefined ? undefined : `HTTP ${failure.status}`, failure.requestId && `request ${failure.requestId}`, `${attempts} attempt(s)`]
      .filter(Boolean)
      .join(', ');
    const message = `MNS ${operation} on queue ${this.queueName} failed: ${failure.code} (${facts})`;
    const options = { cause: failure.cause, details };
    if (failure.retryable) return new RetryableError(failure.code, message, options);
    return new TerminalError(failure.code, message, options);
  }

  #parse<T>(schema: z.core.$ZodType<T>, response: MnsAnswer, operation: string): T {
    const parsed = z.safeParse(schema, response.records);
    if (!parsed.success) {
      throw new RetryableError(MALFORMED, `MNS ${operation} on queue ${this.queueName} answered an unexpected body`, {
        cause: parsed.error,
        details: { queue: this.queueName, operation, status: response.status },
      });
    }
    return parsed.data;
  }
}
