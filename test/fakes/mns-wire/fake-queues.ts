import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/core/domain/clock';

/** An MNS error as the service answers it: status and code. */
export class MnsFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MnsFault';
  }
}

export interface QueueAttributes {
  delaySeconds: number;
  maximumMessageSize: number;
  messageRetentionPeriod: number;
  visibilityTimeout: number;
  pollingWaitSeconds: number;
  loggingEnabled: boolean;
}

export const DEFAULT_QUEUE_ATTRIBUTES: QueueAttributes = {
  delaySeconds: 0,
  maximumMessageSize: 65_536,
  messageRetentionPeriod: 345_600,
  visibilityTimeout: 30,
  pollingWaitSeconds: 0,
  loggingEnabled: false,
};

export interface StoredMessage {
  readonly id: string;
  readonly seq: number;
  readonly body: string;
  readonly bodyMd5: string;
  readonly enqueuedAtMs: number;
  readonly priority: number;
  visibleAtMs: number;
  dequeueCount: number;
  firstDequeuedAtMs?: number;
  /** Only the latest handle counts; changing visibility issues a new one too. */
  receiptHandle?: string;
}

export interface FakeQueue {
  readonly name: string;
  attributes: QueueAttributes;
  readonly createdAtMs: number;
  modifiedAtMs: number;
  readonly messages: StoredMessage[];
}

/**
 * The queue semantics of MNS, in memory, on an injected clock. Receipt handles deliberately carry
 * `+`, `/` and `=`, like base64-looking real ones, so an unencoded handle breaks as it would live.
 */
export class FakeQueues {
  readonly #queues = new Map<string, FakeQueue>();
  #seq = 0;

  constructor(readonly clock: Clock) {}

  #now(): number {
    return this.clock.now().getTime();
  }

  get(name: string): FakeQueue {
    const queue = this.#queues.get(name);
    if (!queue) throw new MnsFault(404, 'QueueNotExist', 'The queue name you provided is not exist.');
    return queue;
  }

  has(name: string): boolean {
    return this.#queues.has(name);
  }

  create(name: string, attributes: QueueAttributes): 'created' | 'unchanged' {
    const existing = this.#queues.get(name);
    if (existing) {
      const same = (Object.keys(attributes) as (keyof QueueAttributes)[]).every((key) => existing.attributes[key] === attributes[key]);
      if (!same) throw new MnsFault(409, 'QueueAlreadyExist', 'The queue you want to create already exists with different attributes.');
      return 'unchanged';
    }
    const now = this.#now();
    this.#queues.set(name, { name, attributes: { ...attributes }, createdAtMs: now, modifiedAtMs: now, messages: [] });
    return 'created';
  }

  setAttributes(name: string, changes: Partial<QueueAttributes>): void {
    const queue = this.get(name);
    queue.attributes = { ...queue.attributes, ...changes };
    queue.modifiedAtMs = this.#now();
  }

  send(name: string, body: string, delaySeconds: number | undefined, priority: number): StoredMessage {
    const queue = this.get(name);
    const size = Buffer.byteLength(body, 'utf8');
    if (size > queue.attributes.maximumMessageSize) {
      throw new MnsFault(400, 'InvalidArgument', `The message body size ${size} exceeds MaximumMessageSize.`);
    }
    const now = this.#now();
    this.#seq += 1;
    const message: StoredMessage = {
      id: randomUUID().replace(/-/g, '').toUpperCase(),
      seq: this.#seq,
      body,
      bodyMd5: createHash('md5').update(body, 'utf8').digest('hex').toUpperCase(),
      enqueuedAtMs: now,
      priority,
      visibleAtMs: now + (delaySeconds ?? queue.attributes.delaySeconds) * 1000,
      dequeueCount: 0,
    };
    queue.messages.push(message);
    return message;
  }

  /** Oldest visible first, then enqueue order; each one becomes invisible for the queue's timeout. */
  receive(name: string, max: number): StoredMessage[] {
    const queue = this.get(name);
    const now = this.#now();
    this.#expire(queue, now);
    const visible = queue.messages
      .filter((message) => message.visibleAtMs <= now)
      .sort((a, b) => a.visibleAtMs - b.visibleAtMs || a.seq - b.seq)
      .slice(0, max);
    for (const message of visible) {
      message.dequeueCount += 1;
      message.firstDequeuedAtMs ??= now;
      message.visibleAtMs = now + queue.attributes.visibilityTimeout * 1000;
      message.receiptHandle = this.#newHandle(message);
    }
    return visible;
  }

  delete(name: string, receiptHandle: string): void {
    const queue = this.get(name);
    const index = queue.messages.findIndex((message) => message.receiptHandle === receiptHandle);
    if (index < 0) throw this.#badHandle(receiptHandle);
    queue.messages.splice(index, 1);
  }

  changeVisibility(name: string, receiptHandle: string, visibilityTimeout: number): StoredMessage {
    const queue = this.get(name);
    const message = queue.messages.find((candidate) => candidate.receiptHandle === receiptHandle);
    if (!message) throw this.#badHandle(receiptHandle);
    message.visibleAtMs = this.#now() + visibilityTimeout * 1000;
    message.receiptHandle = this.#newHandle(message);
    return message;
  }

  counts(name: string): { active: number; inactive: number; delayed: number } {
    const queue = this.get(name);
    const now = this.#now();
    const hidden = queue.messages.filter((message) => message.visibleAtMs > now);
    return {
      active: queue.messages.length - hidden.length,
      inactive: hidden.filter((message) => message.dequeueCount > 0).length,
      delayed: hidden.filter((message) => message.dequeueCount === 0).length,
    };
  }

  #expire(queue: FakeQueue, now: number): void {
    const keepAfter = now - queue.attributes.messageRetentionPeriod * 1000;
    for (let index = queue.messages.length - 1; index >= 0; index -= 1) {
      if ((queue.messages[index]?.enqueuedAtMs ?? now) < keepAfter) queue.messages.splice(index, 1);
    }
  }

  #newHandle(message: StoredMessage): string {
    return `${message.dequeueCount}+${randomBytes(12).toString('base64')}/${message.seq}=`;
  }

  /** A well-formed handle that is no longer current is a different failure from a garbled one. */
  #badHandle(receiptHandle: string): MnsFault {
    return /^\d+\+[A-Za-z0-9+/]+=*\/\d+=$/.test(receiptHandle)
      ? new MnsFault(404, 'MessageNotExist', 'The message is not exist or the receipt handle is out of date.')
      : new MnsFault(400, 'ReceiptHandleError', 'The receipt handle you provided is not valid.');
  }
}
