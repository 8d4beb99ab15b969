import type { ReceivedMessage } from '../../shared/core/ports/message-queue';
import type { MnsMessageQueue } from '../../shared/stores/mns/mns-message-queue';
import { type DeadLetterBox, type DeadLetterEntry, redrivePlan, toEntry } from '../dead-letters/entry';
import { CliFailure } from '../errors';

/** Long enough to read the whole queue, short enough that the functions never notice. */
const LOOK_SECONDS = 30;
const BATCH = 16;
/** An operator's look at a queue is bounded: a queue this long needs another tool. */
const MAX_BATCHES = 64;

/**
 * The MNS dead-letter queue for operators. MNS has no browse through the queue API the product
 * uses, so a look receives every message and makes it visible again at once; the receive count
 * this adds is harmless on a queue nobody consumes.
 */
export class MnsDeadLetterBox implements DeadLetterBox {
  constructor(
    private readonly queue: MnsMessageQueue,
    private readonly functionQueues: Readonly<Record<string, MnsMessageQueue>>,
  ) {}

  async list(): Promise<DeadLetterEntry[]> {
    return this.#look(async () => undefined);
  }

  async redrive(entry: DeadLetterEntry): Promise<string> {
    const plan = redrivePlan(entry);
    if (plan.kind === 'refused') throw new CliFailure(`dead letter ${entry.id} cannot be redriven: ${plan.reason}`);
    const target = this.functionQueues[plan.function];
    if (target === undefined) throw new CliFailure(`dead letter ${entry.id} cannot be redriven: no queue for ${plan.function}`);
    await this.#take(entry.id, async () => {
      // Sent before the letter is deleted: a failure in between repeats one delivery, never loses it.
      await target.send(plan.body);
    });
    return target.queueName;
  }

  async drop(entry: DeadLetterEntry): Promise<void> {
    await this.#take(entry.id, async () => undefined);
  }

  /** Finds one message by id, runs `work`, deletes it; everything else is put back. */
  async #take(id: string, work: () => Promise<void>): Promise<void> {
    let found = false;
    await this.#look(async (message) => {
      if (message.messageId !== id || found) return undefined;
      found = true;
      await work();
      await this.queue.ack(message.receiptHandle);
      return 'taken';
    });
    if (!found) throw new CliFailure(`no dead letter ${id} on ${this.queue.queueName}`);
  }

  /** Receives the whole queue, offers each message to `visit`, and puts back the ones it did not take. */
  async #look(visit: (message: ReceivedMessage) => Promise<'taken' | undefined>): Promise<DeadLetterEntry[]> {
    const held: ReceivedMessage[] = [];
    const entries = new Map<string, DeadLetterEntry>();
    try {
      for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
        const messages = await this.queue.receive(BATCH, LOOK_SECONDS);
        if (messages.length === 0) break;
        for (const message of messages) {
          if ((await visit(message)) === 'taken') continue;
          held.push(message);
          entries.set(message.messageId, toEntry({ id: message.messageId, body: message.body, receives: message.dequeueCount, at: message.enqueuedAt }));
        }
      }
    } finally {
      await Promise.allSettled(held.map((message) => this.queue.retryLater(message.receiptHandle, 0)));
    }
    return [...entries.values()];
  }
}
