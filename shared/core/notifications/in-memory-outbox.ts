import { InvalidInputError } from '../domain/errors';
import { MAX_OUTBOX_BODY_BYTES, type StoredOutbox, type WebhookOutboxStore } from '../ports/webhook-outbox';

/**
 * Outboxes in this process's memory: for tests, and the fallback of a wiring that gives notify no
 * store. Concurrent runs in one process still take turns; runs in other processes do not see it.
 */
export class InMemoryWebhookOutbox implements WebhookOutboxStore {
  readonly #records = new Map<string, StoredOutbox>();

  async read(key: string): Promise<StoredOutbox | undefined> {
    return this.#records.get(key);
  }

  async write(key: string, body: string, expectedVersion: number): Promise<StoredOutbox | undefined> {
    if (Buffer.byteLength(body) > MAX_OUTBOX_BODY_BYTES) throw new InvalidInputError(`an outbox document of more than ${MAX_OUTBOX_BODY_BYTES} bytes`);
    if ((this.#records.get(key)?.version ?? 0) !== expectedVersion) return undefined;
    const stored = { key, version: expectedVersion + 1, body };
    this.#records.set(key, stored);
    return stored;
  }
}
