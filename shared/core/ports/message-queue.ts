/**
 * A queue that triggers a function. Delivery is at least once; consumers are idempotent.
 * Bodies are the JSON of a versioned message contract (shared/core/messages).
 */
export interface MessageQueue {
  send(body: string, options?: { readonly delaySeconds?: number | undefined }): Promise<{ readonly messageId: string }>;
}

/** The queues of the workflow, by role. */
export interface Queues {
  /** Consumed by start-copy: replication requests and dispatch nudges. */
  readonly startCopy: MessageQueue;
  /** Consumed by notify. */
  readonly notify: MessageQueue;
  /** Consumed by poll-status: delayed looks at copies predicted to end before the next timer tick. */
  readonly poll: MessageQueue;
}

export interface ReceivedMessage {
  readonly messageId: string;
  /** Changes with every receive; only the latest one acknowledges. */
  readonly receiptHandle: string;
  readonly body: string;
  /** 1 on first delivery. */
  readonly dequeueCount: number;
  readonly enqueuedAt: Date;
}

/**
 * The consuming side, used where we pull messages ourselves (the local runtime, operator tools).
 * In the cloud, FC's queue trigger does the pulling and this port is not used by the functions.
 */
export interface QueueConsumer {
  /** Up to `max` visible messages; each becomes invisible for `visibilitySeconds`. Never throws on an empty queue. */
  receive(max: number, visibilitySeconds: number): Promise<ReceivedMessage[]>;
  /** Done with it: deleted. A stale handle is an error with code ReceiptHandleInvalid. */
  ack(receiptHandle: string): Promise<void>;
  /** Make it visible again after `seconds` (0 = now): the redelivery back-off. */
  retryLater(receiptHandle: string, seconds: number): Promise<void>;
}
