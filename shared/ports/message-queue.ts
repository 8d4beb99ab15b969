/**
 * A queue that triggers a function. Delivery is at least once; consumers are idempotent.
 * Bodies are the JSON of a versioned message contract (shared/messages).
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
}
