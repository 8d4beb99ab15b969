import type { HistoryEntry, Job, JobEvent } from './job';
import { printableShort } from './region';

/** A job's history keeps its first entry and the latest ones: a job retried for months stays small. */
export const MAX_HISTORY_ENTRIES = 40;
const MAX_DETAIL_CHARS = 300;

/** The provider call an event came from, for the record. */
const CALL_OF: Partial<Record<JobEvent['type'], string>> = {
  'copy.accepted': 'startCopy',
  'dispatch.deferred': 'startCopy',
  'dispatch.rejected': 'startCopy',
  'copy.observed': 'observeCopies',
  'source.observed': 'listImages',
  'copy.stopped': 'cancelCopy',
};

const detailOf = (event: JobEvent): { code?: string; detail?: string } => {
  switch (event.type) {
    case 'dispatch.deferred':
      return { code: event.reason.code, detail: event.reason.message };
    case 'dispatch.rejected':
      return { code: event.error.code, detail: event.error.message };
    case 'copy.observed':
      return event.error === undefined ? {} : { code: event.error.code, detail: event.error.message };
    case 'copy.accepted':
      return event.destinationImageId === undefined ? {} : { detail: `copy ${event.destinationImageId}` };
    case 'cancelled':
      return { detail: event.reason };
    case 'copy.stopping':
      return { detail: event.outcome === 'cancelled' ? `cancel: ${event.reason ?? ''}` : 'past its timeout' };
    case 'webhook.delivered':
      return { detail: `told ${event.webhook}` };
    case 'webhook.failed':
      return { detail: `${event.webhook}: ${event.error}` };
    case 'prune.imageGone':
      return { code: event.error.code, detail: event.error.message };
    case 'prune.completed':
      return (event.leftBehind?.length ?? 0) === 0 ? {} : { code: 'LeftBehind', detail: `the provider kept ${event.leftBehind?.map((part) => printableShort(part.id, 64)).join(', ') ?? ''}` };
    default:
      return {};
  }
};

/**
 * Appends what an event did to a job. Progress that changes nothing but a percentage is not
 * history (and must not cost a write); everything else is: status changes, errors, deliveries.
 */
export const withHistory = (before: Job, after: Job, event: JobEvent, now: Date): Job => {
  // A transition that kept the job as it was (the same failure again) has nothing to add.
  if (after === before) return after;
  const changedStatus = before.status !== after.status;
  const { code, detail } = detailOf(event);
  if (!changedStatus && code === undefined && (event.type === 'copy.observed' || event.type === 'source.observed')) return after;
  if (event.type === 'notification.requeued') return after;
  const entry: HistoryEntry = {
    at: now.toISOString(),
    event: event.type,
    status: after.status,
    ...(changedStatus ? { from: before.status } : {}),
    round: after.round,
    attempt: after.attempt,
    ...(CALL_OF[event.type] === undefined ? {} : { call: CALL_OF[event.type] }),
    ...(code === undefined ? {} : { code }),
    ...(detail === undefined ? {} : { detail: detail.slice(0, MAX_DETAIL_CHARS) }),
  };
  const history = [...(before.history ?? []), entry];
  if (history.length <= MAX_HISTORY_ENTRIES) return { ...after, history };
  const [first, ...rest] = history;
  const kept = [...(first === undefined ? [] : [first]), ...rest.slice(rest.length - (MAX_HISTORY_ENTRIES - 1))];
  return { ...after, history: kept, historyDropped: (before.historyDropped ?? 0) + (history.length - kept.length) };
};
