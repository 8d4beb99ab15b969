import type { Job } from '../../core/domain/job';
import { boundedLine } from '../../core/notifications/text';
import * as z from '../../core/zod';

/**
 * A job's history log, shown under its row. The job record does not carry one yet: a store that
 * keeps one (a `history` array on the record, oldest first) gets it shown, whatever the entries'
 * exact fields, as "when · what · the rest". Entries are read loosely and shown bounded: an
 * unknown field is shown, never trusted.
 */
export interface HistoryEntry {
  readonly at: string | null;
  readonly what: string;
  readonly detail: string;
}

/** The newest entries are the useful ones when a log is long. */
export const MAX_HISTORY_ENTRIES = 100;

const WHEN_KEYS = ['at', 'time', 'timestamp'] as const;
const WHAT_KEYS = ['type', 'event', 'kind', 'status', 'to'] as const;

const Entry = z.record(z.string(), z.unknown());

const scalar = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value) ?? '';

const entryOf = (raw: Readonly<Record<string, unknown>>): HistoryEntry => {
  const whenKey = WHEN_KEYS.find((key) => typeof raw[key] === 'string');
  const whatKey = WHAT_KEYS.find((key) => typeof raw[key] === 'string');
  const rest = Object.entries(raw)
    .filter(([key]) => key !== whenKey && key !== whatKey)
    .slice(0, 12)
    .map(([key, value]) => `${key}=${scalar(value).slice(0, 512)}`)
    .join(' · ');
  return {
    at: whenKey === undefined ? null : boundedLine(raw[whenKey], 64),
    what: whatKey === undefined ? 'event' : boundedLine(raw[whatKey], 96),
    detail: boundedLine(rest, 600),
  };
};

export const historyOf = (job: Job): HistoryEntry[] | null => {
  const log: unknown = (job as unknown as { readonly history?: unknown }).history;
  if (!Array.isArray(log)) return null;
  return log
    .slice(-MAX_HISTORY_ENTRIES)
    .map((item) => z.safeParse(Entry, item))
    .map((parsed) => (parsed.success ? entryOf(parsed.data) : { at: null, what: 'unreadable entry', detail: '' }));
};
