import type { Logger } from '../ports/logger';
import type { StoredOutbox, WebhookOutboxStore } from '../ports/webhook-outbox';
import { type SendHistory, MINUTE_WINDOW_MS } from './rate-budget';
import * as z from '../zod';

/**
 * One chat webhook's outbox document, and the lease that lets one notify run at a time post to
 * the webhook. Sends are counted here, not in the jobs: a batched message is one send for many
 * jobs, and the platform counts sends. Whichever run holds the lease posts everything pending
 * for the webhook (other jobs' outcomes too), so concurrent runs never post the same outcome.
 */

/** Long enough for a few posts of WEBHOOK_TIMEOUT_MS each; renewed by every write. */
export const OUTBOX_LEASE_MS = 60_000;
/** Kept send times: a minute's worth at the fastest platform, with room. */
const MAX_SENDS_KEPT = 200;
/**
 * Beyond these from now, a lease or a hold is nobody's: no writer sets a lease longer than
 * OUTBOX_LEASE_MS, nor a hold longer than the hour a platform's Retry-After is capped at. Such a
 * document was edited by hand or written under a clock far off; obeyed, it would silence the
 * webhook for as long as it says. A minute of leeway covers clocks of different instances.
 */
const CLOCK_LEEWAY_MS = 60_000;
const MAX_HOLD_MS = 3_600_000;

const OutboxDocument = z.object({
  v: z.literal(1),
  sentAtMs: z.array(z.number().check(z.int(), z.nonnegative())).check(z.maxLength(MAX_SENDS_KEPT)),
  blockedUntilMs: z.optional(z.number().check(z.int(), z.nonnegative())),
  lease: z.optional(z.object({ owner: z.string().check(z.maxLength(200)), untilMs: z.number().check(z.int(), z.nonnegative()) })),
  digest: z.optional(
    z.object({
      /** The last digest slot dealt with (sent, or given up after too many failures). */
      slotMs: z.number().check(z.int(), z.nonnegative()),
      /** Where the last sent digest's window ended: the next one starts there, so nothing is skipped. */
      windowToMs: z.optional(z.number().check(z.int(), z.nonnegative())),
      /** Failed tries for the slot after `slotMs`. */
      attempts: z._default(z.number().check(z.int(), z.nonnegative()), 0),
    }),
  ),
});
export type OutboxDocument = z.infer<typeof OutboxDocument>;

const EMPTY: OutboxDocument = { v: 1, sentAtMs: [] };

export const outboxKey = (policy: string, webhook: string): string => `${policy}/${webhook}`;

export const historyOf = (doc: OutboxDocument): SendHistory => ({ sentAtMs: doc.sentAtMs, blockedUntilMs: doc.blockedUntilMs });

export const withHistory = (doc: OutboxDocument, history: SendHistory, nowMs: number): OutboxDocument => ({
  ...doc,
  // Only the last minute counts for any platform; older sends are dropped so the document stays small.
  sentAtMs: history.sentAtMs.filter((at) => at > nowMs - MINUTE_WINDOW_MS).slice(-MAX_SENDS_KEPT),
  blockedUntilMs: history.blockedUntilMs !== undefined && history.blockedUntilMs > nowMs ? history.blockedUntilMs : undefined,
});

/** The document without a lease or a hold no writer could have set (see MAX_HOLD_MS). */
const withoutImpossibleWaits = (doc: OutboxDocument, nowMs: number): { readonly doc: OutboxDocument; readonly dropped: boolean } => {
  const leaseOk = doc.lease === undefined || doc.lease.untilMs <= nowMs + OUTBOX_LEASE_MS + CLOCK_LEEWAY_MS;
  const holdOk = doc.blockedUntilMs === undefined || doc.blockedUntilMs <= nowMs + MAX_HOLD_MS + CLOCK_LEEWAY_MS;
  if (leaseOk && holdOk) return { doc, dropped: false };
  const { lease, blockedUntilMs, ...rest } = doc;
  return { doc: { ...rest, ...(leaseOk && lease !== undefined ? { lease } : {}), ...(holdOk && blockedUntilMs !== undefined ? { blockedUntilMs } : {}) }, dropped: true };
};

export type LeaseResult = { readonly kind: 'held'; readonly lease: OutboxLease } | { readonly kind: 'busy'; readonly untilMs: number };

/** Conflicting writers are few (one per notify run on this webhook); a handful of rounds settles them. */
const MAX_CAS_ROUNDS = 8;

export class OutboxConflictError extends Error {
  override readonly name = 'OutboxConflictError';
}

/** The right to post to one webhook, and the document as this holder last wrote it. */
export class OutboxLease {
  #stored: StoredOutbox;
  #doc: OutboxDocument;

  constructor(
    private readonly store: WebhookOutboxStore,
    readonly key: string,
    readonly owner: string,
    stored: StoredOutbox,
    doc: OutboxDocument,
    private readonly now: () => number,
  ) {
    this.#stored = stored;
    this.#doc = doc;
  }

  get doc(): OutboxDocument {
    return this.#doc;
  }

  /**
   * Applies `change` to the latest document and writes it, renewing the lease. A concurrent write
   * (an expired lease taken over) is read back and `change` applied to it again, so a send is
   * never forgotten: changes only add sends, holds and digest marks.
   */
  async update(change: (doc: OutboxDocument) => OutboxDocument, options: { readonly release?: boolean } = {}): Promise<void> {
    for (let round = 0; round < MAX_CAS_ROUNDS; round += 1) {
      const base = this.#doc;
      const { lease: current, ...changed } = change(base);
      // Only our own lease is renewed or given back; one taken over by another run stays theirs.
      const lease = current?.owner !== this.owner ? current : options.release === true ? undefined : { owner: this.owner, untilMs: this.now() + OUTBOX_LEASE_MS };
      const next: OutboxDocument = lease === undefined ? changed : { ...changed, lease };
      const written = await this.store.write(this.key, JSON.stringify(next), this.#stored.version);
      if (written !== undefined) {
        this.#stored = written;
        this.#doc = next;
        return;
      }
      const fresh = await readDocument(this.store, this.key);
      this.#stored = fresh.stored ?? this.#stored;
      this.#doc = fresh.doc;
    }
    throw new OutboxConflictError(`the outbox of ${this.key} kept changing under us`);
  }

  /** Gives the lease back, if it is still ours. */
  async release(): Promise<void> {
    if (this.#doc.lease?.owner !== this.owner) return;
    await this.update((doc) => doc, { release: true });
  }
}

interface ReadDocument {
  readonly stored: StoredOutbox | undefined;
  readonly doc: OutboxDocument;
  readonly corrupt: boolean;
}

const readDocument = async (store: WebhookOutboxStore, key: string): Promise<ReadDocument> => {
  const stored = await store.read(key);
  if (stored === undefined) return { stored, doc: EMPTY, corrupt: false };
  let raw: unknown;
  try {
    raw = JSON.parse(stored.body);
  } catch {
    raw = undefined;
  }
  const parsed = z.safeParse(OutboxDocument, raw);
  // An unreadable document is replaced, not obeyed: its version still guards the write.
  return parsed.success ? { stored, doc: parsed.data, corrupt: false } : { stored, doc: EMPTY, corrupt: true };
};

/** The document without taking the lease: to decide whether there is anything to do. */
export const peekOutbox = async (store: WebhookOutboxStore, key: string): Promise<OutboxDocument> => (await readDocument(store, key)).doc;

/**
 * Takes the webhook's lease unless another run holds one that has not expired. An expired lease
 * is taken over: its holder died mid-post, and what it posted without recording may go again
 * (at least once: a lost chat message is worse than a repeated one).
 */
export const acquireLease = async (
  store: WebhookOutboxStore,
  key: string,
  owner: string,
  now: () => number,
  logger: Logger,
): Promise<LeaseResult> => {
  for (let round = 0; round < MAX_CAS_ROUNDS; round += 1) {
    const read = await readDocument(store, key);
    const { stored, corrupt } = read;
    const { doc, dropped } = withoutImpossibleWaits(read.doc, now());
    if (corrupt) logger.warn('unreadable webhook outbox replaced', { outbox: key });
    if (dropped) logger.warn('webhook outbox lease or hold far past any writer’s dropped', { outbox: key });
    const held = doc.lease;
    if (held !== undefined && held.owner !== owner && held.untilMs > now()) return { kind: 'busy', untilMs: held.untilMs };
    if (held !== undefined && held.owner !== owner) logger.warn('expired outbox lease taken over', { outbox: key });
    const next: OutboxDocument = { ...doc, lease: { owner, untilMs: now() + OUTBOX_LEASE_MS } };
    const written = await store.write(key, JSON.stringify(next), stored?.version ?? 0);
    if (written !== undefined) return { kind: 'held', lease: new OutboxLease(store, key, owner, written, next, now) };
  }
  throw new OutboxConflictError(`the outbox of ${key} kept changing under us`);
};
