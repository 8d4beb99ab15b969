import { awaitPointOf, type CrashPoint } from './crash-harness';
import { triage } from './known-issues';
import type { ScenarioOutcome } from './scenario';

/** The fault kinds as the table shows them, from the simulators' and the wrappers' counters. */
const FAULT_COLUMNS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['throttle', ['throttle']],
  ['5xx', ['internalError', 'serviceUnavailable']],
  ['lost', ['lostAnswer']],
  ['no-ans', ['noAnswer']],
  ['copyfail', ['copyFailure']],
  ['webhook', ['webhookRefused', 'webhookLostAnswer']],
  ['store', ['lostStoreAnswer']],
  ['dlq', ['deadLetterSendFailed']],
  ['latency', ['latency']],
];

export interface Totals {
  readonly scenarios: number;
  /** Scenarios with a violation no known issue explains. */
  readonly failedScenarios: number;
  /** Violations a known product issue explains. */
  readonly knownViolations: number;
  readonly faults: Readonly<Record<string, number>>;
  /** Faults that change an outcome: everything but added latency. */
  readonly disruptiveFaults: number;
  readonly armed: number;
  readonly reached: number;
  readonly crashes: number;
  readonly replays: number;
  readonly duplicateDeliveries: number;
  readonly copiesMade: number;
  readonly copiesLive: number;
  readonly failedCopiesLeft: number;
  readonly duplicateCopies: number;
  readonly notificationsExactlyOnce: number;
  readonly notificationsExpected: number;
  readonly notificationPosts: number;
  readonly jobsLost: number;
  readonly jobsStuck: number;
  readonly wrongOutcomes: number;
}

export const totalsOf = (outcomes: readonly ScenarioOutcome[]): Totals => {
  const sum = (pick: (o: ScenarioOutcome) => number) => outcomes.reduce((total, o) => total + pick(o), 0);
  const faults = Object.fromEntries(FAULT_COLUMNS.map(([column, kinds]) => [column, sum((o) => kinds.reduce((t, k) => t + (o.faults[k] ?? 0), 0))]));
  const triaged = outcomes.map(triage);
  return {
    scenarios: outcomes.length,
    failedScenarios: outcomes.filter((o, i) => (triaged[i]?.open.length ?? 0) > 0 || o.unreached.length > 0).length,
    knownViolations: triaged.reduce((t, r) => t + r.known.length, 0),
    faults,
    disruptiveFaults: Object.entries(faults).reduce((t, [column, n]) => (column === 'latency' ? t : t + n), 0),
    armed: sum((o) => o.armed.length),
    reached: sum((o) => o.hits.length),
    crashes: sum((o) => o.crashes.length),
    replays: sum((o) => o.replays),
    duplicateDeliveries: sum((o) => o.duplicateDeliveries),
    copiesMade: sum((o) => o.copiesMade),
    copiesLive: sum((o) => o.copiesLive),
    failedCopiesLeft: sum((o) => o.failedCopiesLeft),
    duplicateCopies: sum((o) => o.duplicateCopies),
    notificationsExactlyOnce: sum((o) => o.notificationsExactlyOnce),
    notificationsExpected: sum((o) => o.notificationsExpected),
    notificationPosts: sum((o) => o.notificationPosts),
    jobsLost: sum((o) => o.jobsLost),
    jobsStuck: sum((o) => o.jobsStuck),
    wrongOutcomes: sum((o) => o.wrongOutcomes),
  };
};

/** Text columns first (left-aligned), figures after (right-aligned). */
export const table = (header: readonly string[], rows: ReadonlyArray<readonly string[]>, textColumns = 2): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < textColumns ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
};

/** One row per (group, cloud), then one per cloud and the total: faults, armed = reached, and the promises kept. */
export const renderTable = (outcomes: readonly ScenarioOutcome[]): string => {
  const row = (group: string, provider: string, t: Totals) => [
    group,
    provider,
    String(t.scenarios),
    String(t.failedScenarios),
    String(t.knownViolations),
    ...FAULT_COLUMNS.map(([column]) => String(t.faults[column] ?? 0)),
    `${t.reached}/${t.armed}`,
    String(t.replays),
    String(t.duplicateDeliveries),
    `${t.copiesMade} (${t.copiesLive})`,
    String(t.duplicateCopies),
    String(t.failedCopiesLeft),
    String(t.wrongOutcomes),
    `${t.notificationsExactlyOnce}/${t.notificationsExpected} (${t.notificationPosts})`,
    String(t.jobsLost),
    String(t.jobsStuck),
  ];
  const header = ['group', 'cloud', 'scen', 'failed', 'known', ...FAULT_COLUMNS.map(([c]) => c), 'reached/armed', 'replays', 'dup-deliv', 'made (live)', 'dup', 'left', 'wrong', 'notified/exp (posts)', 'lost', 'stuck'];
  const groups = [...new Set(outcomes.map((o) => o.group))];
  const providers = [...new Set(outcomes.map((o) => o.provider))].sort();
  const rows = groups.flatMap((group) =>
    providers.flatMap((provider) => {
      const some = outcomes.filter((o) => o.group === group && o.provider === provider);
      return some.length === 0 ? [] : [row(group, provider, totalsOf(some))];
    }),
  );
  const perCloud = providers.map((provider) => row('ALL', provider, totalsOf(outcomes.filter((o) => o.provider === provider))));
  return table(header, [...rows, ...perCloud, row('TOTAL', '', totalsOf(outcomes))]);
};

/** Each handler's await points: reached by some run, and whether a crash was injected there. */
export const renderAwaitPoints = (reached: readonly CrashPoint[], crashed: readonly CrashPoint[]): string => {
  const tested = new Map<string, number>();
  for (const point of crashed) tested.set(awaitPointOf(point), (tested.get(awaitPointOf(point)) ?? 0) + 1);
  const all = [...new Set(reached.map(awaitPointOf))].sort();
  const byFn = new Map<string, string[]>();
  for (const key of all) {
    const [fn = '', label = ''] = key.split(': ');
    byFn.set(fn, [...(byFn.get(fn) ?? []), `  ${tested.has(key) ? `crashed ×${String(tested.get(key)).padEnd(3)}` : 'reached     '} ${label}`]);
  }
  return [...byFn.entries()].map(([fn, lines]) => `${fn} (${lines.length} await points)\n${lines.join('\n')}`).join('\n');
};
