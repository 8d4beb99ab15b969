import type { ReceivedMessage } from '../../shared/core/ports/message-queue';
import type { MnsMessageQueue } from '../../shared/stores/mns/mns-message-queue';
import { type DeadLetterAction, type DeadLetterBox, type DeadLetterEntry, redrivePlan, type TakeOutcome, toEntry } from '../dead-letters/entry';

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

  async take(choose: (entry: DeadLetterEntry) => boolean, action: DeadLetterAction): Promise<TakeOutcome[]> {
    const outcomes: TakeOutcome[] = [];
    await this.#look(async (message, entry) => {
      if (!choose(entry)) return undefined;
      if (action === 'redrive') {
        const plan = redrivePlan(entry);
        const target = plan.kind === 'send' ? this.functionQueues[plan.function] : undefined;
        if (plan.kind === 'refused' || target === undefined) {
          outcomes.push({ id: entry.id, done: false, reason: plan.kind === 'refused' ? plan.reason : `no queue for ${plan.function}` });
          return undefined;
        }
        // Sent before the letter is deleted: a failure in between repeats one delivery, never loses it.
        await target.send(plan.body);
        outcomes.push({ id: entry.id, done: true, to: target.queueName });
      } else {
        outcomes.push({ id: entry.id, done: true });
      }
      await this.queue.ack(message.receiptHandle);
      return 'taken';
    });
    return outcomes;
  }

  /** Receives the whole queue, offers each message to `visit`, and puts back the ones it did not take. */
  async #look(visit: (message: ReceivedMessage, entry: DeadLetterEntry) => Promise<'taken' | undefined>): Promise<DeadLetterEntry[]> {
    const held: ReceivedMessage[] = [];
    const entries = new Map<string, DeadLetterEntry>();
    try {
      for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
        const messages = await this.queue.receive(BATCH, LOOK_SECONDS);
        if (messages.length === 0) break;
        for (const message of messages) {
          const entry = toEntry({ id: message.messageId, body: message.body, receives: message.dequeueCount, at: message.enqueuedAt });
          if ((await visit(message, entry)) === 'taken') continue;
          held.push(message);
          entries.set(message.messageId, entry);
        }
      }
    } finally {
      await Promise.allSettled(held.map((message) => this.queue.retryLater(message.receiptHandle, 0)));
    }
    return [...entries.values()];
  }
}
