import type { MessageQueue, Queues } from '../../shared/core/ports/message-queue';

/** A producer that remembers what was sent, parsed, in order. */
export class RecordingQueue implements MessageQueue {
  readonly sent: { body: string; delaySeconds?: number | undefined }[] = [];
  #next = 0;
  readonly #failures: Error[] = [];

  /** The next send throws this instead of sending. */
  failNext(error: Error): void {
    this.#failures.push(error);
  }

  async send(body: string, options: { delaySeconds?: number | undefined } = {}): Promise<{ messageId: string }> {
    await Promise.resolve();
    const failure = this.#failures.shift();
    if (failure !== undefined) throw failure;
    this.sent.push({ body, delaySeconds: options.delaySeconds });
    this.#next += 1;
    return { messageId: `msg-${this.#next}` };
  }

  messages(): unknown[] {
    return this.sent.map((m) => JSON.parse(m.body));
  }

  clear(): void {
    this.sent.length = 0;
  }
}

export const recordingQueues = (): Queues & { startCopy: RecordingQueue; notify: RecordingQueue; poll: RecordingQueue } => ({
  startCopy: new RecordingQueue(),
  notify: new RecordingQueue(),
  poll: new RecordingQueue(),
});
