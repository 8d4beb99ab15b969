import type { CrashPoint } from './crash-harness';
import type { ScenarioOutcome } from './scenario';
import { awaitPointOf } from './scenarios';

/** The fault kinds as the table shows them, from the simulator's and the delivery wrappers' counters. */
const FAULT_COLUMNS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['throttle', ['throttle']],
  ['5xx', ['internalError', 'serviceUnavailable']],
  ['lost', ['lostAnswer']],
  ['no-ans', ['noAnswer']],
  ['copyfail', ['copyFailure']],
  ['webhook', ['webhookRefused', 'webhookLostAnswer']],
  ['latency', ['latency']],
];

export interface Totals {
  readonly scenarios: number;
  readonly failedScenarios: number;
  readonly faults: Readonly<Record<string, number>>;
  /** Faults that change an outcome: everything but added latency. */
  readonly disruptiveFaults: number;
  readonly crashPointsHit: number;
  readonly duplicateDeliveries: number;
  readonly copies: number;
  readonly expectedCopies: number;
  readonly duplicateCopies: number;
  readonly leftoverCopies: number;
  readonly notificationsExactlyOnce: number;
  readonly notificationsExpected: number;
  readonly notificationPosts: number;
  readonly jobsLost: number;
  readonly jobsStuck: number;
}

export const totalsOf = (outcomes: readonly ScenarioOutcome[]): Totals => {
  const sum = (pick: (o: ScenarioOutcome) => number) => outcomes.reduce((total, o) => total + pick(o), 0);
  const faults = Object.fromEntries(FAULT_COLUMNS.map(([column, kinds]) => [column, sum((o) => kinds.reduce((t, k) => t + (o.faults[k] ?? 0), 0))]));
  return {
    scenarios: outcomes.length,
    failedScenarios: outcomes.filter((o) => o.violations.length > 0).length,
    faults,
    disruptiveFaults: Object.entries(faults).reduce((t, [column, n]) => (column === 'latency' ? t : t + n), 0),
    crashPointsHit: sum((o) => o.crashes.length),
    duplicateDeliveries: sum((o) => o.duplicateDeliveries),
    copies: sum((o) => o.copies),
    expectedCopies: sum((o) => o.expectedCopies),
    duplicateCopies: sum((o) => o.duplicateCopies),
    leftoverCopies: sum((o) => o.leftoverCopies),
    notificationsExactlyOnce: sum((o) => o.notificationsExactlyOnce),
    notificationsExpected: sum((o) => o.notificationsExpected),
    notificationPosts: sum((o) => o.notificationPosts),
    jobsLost: sum((o) => o.jobsLost),
    jobsStuck: sum((o) => o.jobsStuck),
  };
};

const table = (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
};

export const renderTable = (outcomes: readonly ScenarioOutcome[]): string => {
  const groups = [...new Set(outcomes.map((o) => o.group))];
  const row = (label: string, t: Totals) => [
    label,
    String(t.scenarios),
    String(t.failedScenarios),
    ...FAULT_COLUMNS.map(([column]) => String(t.faults[column] ?? 0)),
    String(t.crashPointsHit),
    String(t.duplicateDeliveries),
    `${t.copies}/${t.expectedCopies}`,
    String(t.duplicateCopies),
    `${t.notificationsExactlyOnce}/${t.notificationsExpected} (${t.notificationPosts})`,
    String(t.jobsLost),
    String(t.jobsStuck),
  ];
  const header = ['group', 'scen', 'failed', ...FAULT_COLUMNS.map(([c]) => c), 'crashes', 'dup-deliv', 'copies/exp', 'dup-copies', 'notified/exp (posts)', 'lost', 'stuck'];
  return table(header, [...groups.map((g) => row(g, totalsOf(outcomes.filter((o) => o.group === g)))), row('TOTAL', totalsOf(outcomes))]);
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
