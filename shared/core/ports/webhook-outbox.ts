/**
 * What a chat webhook's sender remembers between invocations: its recent sends (the platform's
 * rate limit counts them), any silence the platform imposed, who is posting right now, and when
 * the last digest went out. One small document per webhook, replaced whole by compare-and-set.
 *
 * The shape is the least both stores do natively: SQLite as a row (key, version, body) updated
 * `WHERE version = ?`, Tablestore as a row with a `version` column written under a column
 * condition (or EXPECT_NOT_EXIST for the first write). The body is opaque JSON here; the use
 * case parses it, since a stored row is read from outside the process.
 */
export interface StoredOutbox {
  readonly key: string;
  /** 1 for the first write, then +1 per write. */
  readonly version: number;
  readonly body: string;
}

export interface WebhookOutboxStore {
  /** Undefined when nothing was ever written for this webhook. */
  read(key: string): Promise<StoredOutbox | undefined>;
  /**
   * Writes `body` if the stored version is still `expectedVersion` (0: nothing stored yet) and
   * answers the stored record; answers undefined, writing nothing, when another writer came first.
   */
  write(key: string, body: string, expectedVersion: number): Promise<StoredOutbox | undefined>;
}

/** Documents are small (a minute of send times, a lease, a digest mark); a bigger one is refused. */
export const MAX_OUTBOX_BODY_BYTES = 16 * 1024;
