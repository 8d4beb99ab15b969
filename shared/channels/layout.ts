import { type ChatMessage, type Digest, Outcome, type OutcomeBatch, type OutcomeSummary } from '../core/notifications/message';
import { formatDuration, formatGiB, formatInstant } from './format';

/**
 * A chat message as a small document every platform can draw: a title, label/value facts, one
 * long detail (an error message), bulleted lists, one link and a footer. Every string here is
 * plain text; each channel escapes it and adds its own markup. Our own wording uses no character
 * any of the markups gives a meaning to, so escaping a whole line is always safe.
 */
export const Tone = { Success: 'success', Failure: 'failure', Warning: 'warning', Neutral: 'neutral' } as const;
export type Tone = (typeof Tone)[keyof typeof Tone];

export interface Fact {
  readonly label: string;
  readonly value: string;
}

export interface ListSection {
  readonly heading: string;
  readonly items: readonly string[];
  /** Items left out (by the message or to fit a size limit), shown as "… and N more". */
  readonly more: number;
}

export interface MessageDoc {
  readonly title: string;
  readonly tone: Tone;
  readonly facts: readonly Fact[];
  /** Long free text, the first thing shortened to fit. */
  readonly detail: Fact | null;
  readonly sections: readonly ListSection[];
  /** Only ever the status page, built from configuration. */
  readonly link: { readonly label: string; readonly url: string } | null;
  readonly footer: string;
}

const PRODUCT = 'image-replicator';

/** Copies deleted, what that freed, and how many of them the provider kept a part of (still billed). */
const prunedText = (digest: Digest): string => {
  if (digest.pruned === 0) return '0';
  const kept = digest.prunedLeavingParts > 0 ? `, ${digest.prunedLeavingParts} with parts the provider kept, still billed` : '';
  return `${digest.pruned} (${formatGiB(digest.freedGiB)} freed${kept})`;
};

const OUTCOME_WORDING: Readonly<Record<Outcome, { readonly icon: string; readonly headline: string; readonly tone: Tone }>> = {
  available: { icon: '✅', headline: 'Copy available', tone: Tone.Success },
  failed: { icon: '❌', headline: 'Copy failed', tone: Tone.Failure },
  timed_out: { icon: '⏱️', headline: 'Copy timed out', tone: Tone.Failure },
  cancelled: { icon: '🚫', headline: 'Copy cancelled', tone: Tone.Warning },
  pruned: { icon: '🗑️', headline: 'Copy deleted by retention', tone: Tone.Neutral },
};

const OUTCOME_LABEL: Readonly<Record<Outcome, string>> = {
  available: 'Available',
  failed: 'Failed',
  timed_out: 'Timed out',
  cancelled: 'Cancelled',
  pruned: 'Deleted by retention',
};

const statusLink = (url: string | null) => (url === null ? null : { label: 'Open the status page', url });

const outcomeDoc = (summary: OutcomeSummary): MessageDoc => {
  const wording = OUTCOME_WORDING[summary.outcome];
  // A pruned copy's time is how long it was kept, and its attempts were its copy's.
  const pruned = summary.outcome === Outcome.Pruned;
  const took =
    summary.copySeconds !== null && summary.copySeconds !== summary.durationSeconds
      ? `${formatDuration(summary.durationSeconds)} (copying ${formatDuration(summary.copySeconds)})`
      : formatDuration(summary.durationSeconds);
  const facts: Fact[] = [
    { label: 'Image', value: `${summary.image.name} (${summary.image.id})` },
    { label: 'From', value: `${summary.sourceRegion} (${summary.provider})` },
    { label: 'To', value: summary.destinationRegion },
    { label: 'Outcome', value: summary.attempt > 1 && !pruned ? `${OUTCOME_LABEL[summary.outcome]} after ${summary.attempt} attempts` : OUTCOME_LABEL[summary.outcome] },
    { label: 'Copy', value: summary.copyImageId ?? '—' },
    pruned ? { label: 'Kept for', value: formatDuration(summary.durationSeconds) } : { label: 'Took', value: took },
    ...(summary.sizeGiB === null ? [] : [{ label: 'Size', value: formatGiB(summary.sizeGiB) }]),
    { label: 'Finished', value: formatInstant(summary.finishedAt) },
  ];
  return {
    title: `${wording.icon} ${wording.headline}: ${summary.image.name} → ${summary.destinationRegion}`,
    // What the provider kept of a deleted copy is still billed: worth a look.
    tone: pruned && summary.error !== null ? Tone.Warning : wording.tone,
    facts,
    detail: summary.error === null ? null : { label: `Error ${summary.error.code}`, value: summary.error.message === '' ? summary.error.code : summary.error.message },
    sections: [],
    link: statusLink(summary.statusPageUrl),
    footer: `${PRODUCT} · policy ${summary.policy} · job ${summary.jobId}`,
  };
};

const batchItem = (item: OutcomeSummary): string => {
  const result = item.outcome === Outcome.Available ? (item.copyImageId ?? OUTCOME_LABEL[item.outcome]) : (item.error?.code ?? OUTCOME_LABEL[item.outcome]);
  return `${OUTCOME_WORDING[item.outcome].icon} ${item.image.name} → ${item.destinationRegion} · ${result} · ${formatDuration(item.durationSeconds)}`;
};

const batchDoc = (batch: OutcomeBatch): MessageDoc => {
  const total = batch.items.length + batch.omitted;
  const failures = batch.counts.failed + batch.counts.timed_out;
  return {
    title: `📦 ${total} ${total === 1 ? 'copy' : 'copies'} finished${failures > 0 ? `, ${failures} failed` : ''}`,
    tone: failures > 0 ? Tone.Failure : batch.items.some((item) => item.outcome === Outcome.Pruned && item.error !== null) ? Tone.Warning : Tone.Success,
    facts: (Object.keys(OUTCOME_LABEL) as Outcome[]).filter((outcome) => batch.counts[outcome] > 0).map((outcome) => ({ label: OUTCOME_LABEL[outcome], value: String(batch.counts[outcome]) })),
    detail: null,
    sections: [{ heading: 'Copies', items: batch.items.map(batchItem), more: batch.omitted }],
    link: statusLink(batch.statusPageUrl),
    footer: `${PRODUCT} · grouped into one message to stay within this webhook's rate limit`,
  };
};

const digestDoc = (digest: Digest): MessageDoc => {
  const addedGiB = Math.round(digest.storage.reduce((sum, region) => sum + region.addedGiB, 0) * 10) / 10;
  const unknown = digest.storage.reduce((sum, region) => sum + region.unknownSize, 0);
  const problems = digest.failed + digest.timedOut;
  const sections: ListSection[] = [
    {
      heading: 'Storage added by region',
      items: digest.storage.map((r) => `${r.region}: ${formatGiB(r.addedGiB)} in ${r.copies} ${r.copies === 1 ? 'copy' : 'copies'}${r.unknownSize > 0 ? ` (${r.unknownSize} of unknown size)` : ''}`),
      more: 0,
    },
    { heading: 'Slowest copies', items: digest.slowest.map((s) => `${s.imageName} → ${s.destinationRegion} · ${formatDuration(s.durationSeconds)}`), more: 0 },
    {
      heading: 'Failures',
      items: digest.failures.map((f) => `${OUTCOME_WORDING[f.outcome].icon} ${f.imageName} → ${f.destinationRegion} · ${f.errorCode ?? OUTCOME_LABEL[f.outcome]}`),
      more: Math.max(0, problems - digest.failures.length),
    },
  ];
  return {
    title: `📊 Replication digest: ${digest.policy}`,
    tone: problems > 0 ? Tone.Warning : Tone.Neutral,
    facts: [
      { label: 'Window', value: `${formatInstant(digest.window.from)} → ${formatInstant(digest.window.to)}` },
      { label: 'Copies made', value: String(digest.copiesMade) },
      { label: 'Failed', value: digest.timedOut > 0 ? `${problems} (${digest.timedOut} timed out)` : String(problems) },
      { label: 'Cancelled', value: String(digest.cancelled) },
      { label: 'Pruned', value: prunedText(digest) },
      { label: 'Storage added', value: unknown > 0 ? `at least ${formatGiB(addedGiB)}` : formatGiB(addedGiB) },
    ],
    detail: null,
    sections: sections.filter((section) => section.items.length > 0 || section.more > 0),
    link: statusLink(digest.statusPageUrl),
    footer: `${PRODUCT} · digest for webhook ${digest.webhook}`,
  };
};

export const docFor = (message: ChatMessage): MessageDoc => {
  switch (message.kind) {
    case 'outcome':
      return outcomeDoc(message);
    case 'batch':
      return batchDoc(message);
    case 'digest':
      return digestDoc(message);
  }
};

/** "… and 3 more", our wording, shared so every platform says it the same way. */
export const moreLine = (more: number): string => `… and ${more} more`;
