import { formatDuration, formatInstant } from '../../channels/format';
import type { HistoryEntry } from './history';
import type { DestinationStatus, RegionQueue, SourceStatus, StatusFilter, StatusModel } from './model';
import { STATUS_PAGE_CSS } from './style';

/**
 * The status page as one HTML document: server-rendered, no script, refreshed by the browser.
 * Every value is escaped where it is placed; values were already bounded by the model. Rows
 * open on click (<details>) to the job's history and record.
 */

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string | number): string => String(value).replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);

const STATE_LABEL: Readonly<Record<DestinationStatus['state'], string>> = {
  waiting_for_source: 'waiting for source',
  queued: 'queued',
  dispatching: 'starting',
  copying: 'copying',
  stopping: 'stopping',
  available: 'available',
  failed: 'failed',
  timed_out: 'timed out',
  cancelled: 'cancelled',
  sharing: 'sharing',
  deprecated: 'deprecated',
  pruning: 'deleting',
  pruned: 'deleted by retention',
};

const AGGREGATE_LABEL: Readonly<Record<SourceStatus['state'], string>> = {
  InProgress: 'In progress',
  Completed: 'Completed',
  Failed: 'Failed',
  Unknown: 'Unknown',
};

/** `2026-11-01 00:03 UTC`, as chat messages say it: one zone for everybody reading the page. */
const instant = (iso: string | null): string => (iso === null ? '—' : formatInstant(iso));

const timeTag = (iso: string | null): string => (iso === null ? '—' : `<time datetime="${escapeHtml(iso)}">${escapeHtml(instant(iso))}</time>`);

/** A link that keeps the page but changes its filter; only our own parameter names and encoded values. */
const filterLink = (filter: StatusFilter, label: string): string => {
  const query = Object.entries(filter)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
  return `<a href="?${escapeHtml(query)}">${escapeHtml(label)}</a>`;
};

const progressCell = (row: DestinationStatus): string =>
  row.progressPercent === null ? '—' : `<progress max="100" value="${escapeHtml(Math.round(row.progressPercent))}"></progress> ${escapeHtml(Math.round(row.progressPercent))}%`;

const errorCell = (row: DestinationStatus): string =>
  row.lastError === null ? '—' : `<code>${escapeHtml(row.lastError.code)}</code> ${escapeHtml(row.lastError.message)}`;

const historyList = (history: readonly HistoryEntry[] | null): string => {
  if (history === null) return '<p class="empty">No history log is kept for this job; its record follows.</p>';
  if (history.length === 0) return '<p class="empty">The history log is empty.</p>';
  const items = history.map((entry) => `<li>${entry.at === null ? '' : `${timeTag(entry.at)} · `}<strong>${escapeHtml(entry.what)}</strong>${entry.detail === '' ? '' : ` · ${escapeHtml(entry.detail)}`}</li>`);
  return `<ol class="history">${items.join('')}</ol>`;
};

const deliveries = (row: DestinationStatus): string =>
  row.notification.webhooks.length === 0
    ? ''
    : `<p>Notification: ${escapeHtml(row.notification.status)} — ${row.notification.webhooks
        .map((hook) => `${escapeHtml(hook.name)} ${escapeHtml(hook.status)} after ${escapeHtml(hook.attempts)}${hook.lastError === null ? '' : ` (${escapeHtml(hook.lastError)})`}`)
        .join('; ')}</p>`;

const COLUMNS = ['Region', 'State', 'Progress', 'ETA', 'Route', 'Copy', 'Attempt', 'Last error', 'Updated'] as const;

const destinationRows = (row: DestinationStatus, open: boolean, recordOf: (jobId: string) => string | undefined, basePath: string): string => {
  const stalled = row.stalledSeconds === null ? '' : ` <span class="stalled">no progress for ${escapeHtml(formatDuration(row.stalledSeconds))}</span>`;
  const waiting = row.notBefore !== null && row.state === 'queued' ? ` <span class="meta">not before ${escapeHtml(instant(row.notBefore))}</span>` : '';
  const record = recordOf(row.jobId);
  return [
    `<tr class="job s-${escapeHtml(row.state)}" data-job-id="${escapeHtml(row.jobId)}">`,
    `<td>${escapeHtml(row.region)}</td>`,
    `<td><span class="state">${escapeHtml(STATE_LABEL[row.state])}</span>${stalled}${waiting}</td>`,
    `<td>${progressCell(row)}</td>`,
    `<td>${row.etaSeconds === null ? '—' : `~${escapeHtml(formatDuration(row.etaSeconds))}`}</td>`,
    `<td>${escapeHtml(row.route ?? '—')}</td>`,
    `<td class="id">${escapeHtml(row.copyImageId ?? '—')}</td>`,
    `<td>${escapeHtml(row.attempt)}/${escapeHtml(row.maxAttempts)}${row.round > 1 ? ` (round ${escapeHtml(row.round)})` : ''}</td>`,
    `<td class="err">${errorCell(row)}</td>`,
    `<td>${timeTag(row.updatedAt)}</td>`,
    '</tr>',
    `<tr class="more"><td colspan="${COLUMNS.length}"><details${open ? ' open' : ''}><summary>History and job record · <span class="id">${escapeHtml(row.jobId)}</span></summary>`,
    `<p>Created ${timeTag(row.createdAt)} · copy started ${timeTag(row.copyStartedAt)} · finished ${timeTag(row.finishedAt)}</p>`,
    deliveries(row),
    historyList(row.history),
    record === undefined
      ? `<p><a href="?job=${escapeHtml(encodeURIComponent(row.jobId))}">Full job record</a> · <a href="${escapeHtml(basePath)}/api/jobs/${escapeHtml(encodeURIComponent(row.jobId))}">as JSON</a></p>`
      : `<pre class="record">${escapeHtml(record)}</pre>`,
    '</details></td></tr>',
  ].join('');
};

const sourceSection = (source: SourceStatus, filter: StatusFilter, recordOf: (jobId: string) => string | undefined, basePath: string): string => {
  const facts = [
    `${escapeHtml(source.provider)} · ${escapeHtml(source.account)}`,
    `from ${escapeHtml(source.sourceRegion)}`,
    ...(source.sizeGiB === null ? [] : [`${escapeHtml(source.sizeGiB)} GiB`]),
    `started ${timeTag(source.startedAt)}`,
    `${source.state === 'InProgress' ? 'running for' : 'took'} ${escapeHtml(formatDuration(source.elapsedSeconds))}`,
    ...(source.etaSeconds === null ? [] : [`ETA ~${escapeHtml(formatDuration(source.etaSeconds))}`]),
  ];
  const rows = source.destinations.map((row) => destinationRows(row, filter.job === row.jobId, recordOf, basePath)).join('');
  return [
    `<article class="source" data-image-id="${escapeHtml(source.imageId)}">`,
    `<h3><span class="agg a-${escapeHtml(source.state)}">${escapeHtml(AGGREGATE_LABEL[source.state])}</span> ${escapeHtml(source.imageName)} <span class="id">${escapeHtml(source.imageId)}</span></h3>`,
    `<p class="meta">${facts.join(' · ')}</p>`,
    `<div class="scroll"><table class="dest"><thead><tr>${COLUMNS.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table></div>`,
    '</article>',
  ].join('');
};

const regionTable = (regions: readonly RegionQueue[]): string => {
  if (regions.length === 0) return '<p class="empty">Nothing is copying or queued.</p>';
  const rows = regions.map(
    (r) =>
      `<tr><td>${escapeHtml(r.provider)}</td><td>${filterLink({ region: r.region }, r.region)}</td><td>${escapeHtml(r.running)}${r.cap === null ? '' : ` / ${escapeHtml(r.cap)}`}</td><td>${escapeHtml(r.queued)}</td><td>${r.oldestQueuedSeconds === null ? '—' : escapeHtml(formatDuration(r.oldestQueuedSeconds))}</td><td>${r.stalled === 0 ? '0' : `<span class="stalled">${escapeHtml(r.stalled)}</span>`}</td></tr>`,
  );
  return `<div class="scroll"><table class="regions"><thead><tr><th>Cloud</th><th>Region</th><th>Running / cap</th><th>Queued</th><th>Oldest queued</th><th>Stalled</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
};

export interface RenderOptions {
  /** Seconds between the browser's reloads; 0 for none. */
  readonly refreshSeconds: number;
  /** The job's record as shown under its row (bounded JSON), when there is one to show. */
  readonly recordOf?: ((jobId: string) => string | undefined) | undefined;
  /** Where the page is mounted ('' or '/replication'): links to the JSON are absolute from it. */
  readonly basePath?: string | undefined;
}

export const renderStatusPage = (model: StatusModel, options: RenderOptions): string => {
  const recordOf = options.recordOf ?? (() => undefined);
  const basePath = options.basePath ?? '';
  const counts = Object.entries(model.counts)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `<span class="pill s-${escapeHtml(state)}"><span class="state">${escapeHtml(STATE_LABEL[state as DestinationStatus['state']])}</span> ${escapeHtml(count)}</span>`);
  const filtered = Object.values(model.filter).some((value) => value !== undefined);
  const policies = model.policies.map(
    (policy) =>
      `<section class="policy" data-policy="${escapeHtml(policy.name)}"><h2>Policy ${filterLink({ policy: policy.name }, policy.name)}</h2>${policy.sources.map((source) => sourceSection(source, model.filter, recordOf, basePath)).join('')}</section>`,
  );
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    options.refreshSeconds > 0 ? `<meta http-equiv="refresh" content="${escapeHtml(Math.round(options.refreshSeconds))}">` : '',
    '<meta name="robots" content="noindex">',
    '<title>Image replication status</title>',
    `<style>${STATUS_PAGE_CSS}</style>`,
    '</head><body>',
    '<header><h1>Image replication</h1>',
    `<p class="meta">As of ${timeTag(model.generatedAt)}${options.refreshSeconds > 0 ? ` · refreshes every ${escapeHtml(Math.round(options.refreshSeconds))} s` : ''}${filtered ? ` · ${filterLink({}, 'show everything')}` : ''} · <a href="${escapeHtml(basePath)}/api/status${model.filter.policy === undefined ? '' : `?policy=${escapeHtml(encodeURIComponent(model.filter.policy))}`}">JSON</a></p>`,
    `<div class="counts" aria-label="Copies by state">${counts.length === 0 ? '<span class="empty">No copies yet.</span>' : counts.join('')}</div>`,
    '</header>',
    '<section><h2>Destination regions</h2>',
    regionTable(model.regions),
    '</section>',
    ...policies,
    model.policies.length === 0 ? '<p class="empty">No source image matches.</p>' : '',
    model.omittedSources > 0 ? `<p class="meta">${escapeHtml(model.omittedSources)} older source images are not shown; filter by policy or region to see them.</p>` : '',
    '</body></html>',
  ].join('\n');
};
