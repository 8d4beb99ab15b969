import type { Measured } from './scenario';

/**
 * The goals the product is measured against, and how a run is shown: one JSON object (for
 * machines) or a table (for people). Every figure is a ratio or a count against a baseline of
 * the same run, or a virtual-time figure, so machine noise moves it little; the two wall-time
 * figures say so.
 */
export interface Goal {
  readonly metric: string;
  /** `max`: the figure must stay at or under the threshold; `below`: strictly under. */
  readonly kind: 'max' | 'below';
  readonly threshold: number;
  readonly unit: string;
}

/** Figures every run must produce, in the order they are shown; `goal` absent: shown, not judged. */
export const FIGURES: ReadonlyArray<{ readonly metric: string; readonly what: string; readonly goal?: Goal }> = [
  { metric: 'relay_1x10_ratio', what: 'relay ÷ serial makespan, 1 image → 10 regions', goal: { metric: 'relay_1x10_ratio', kind: 'max', threshold: 0.45, unit: '' } },
  { metric: 'fanout_40x6_ratio_max', what: 'makespan ÷ lower bound, 40 × 6, worst of 5 draws', goal: { metric: 'fanout_40x6_ratio_max', kind: 'max', threshold: 1.05, unit: '' } },
  { metric: 'calls_per_copy_1000', what: 'ECS calls per completed copy, 1,020 jobs', goal: { metric: 'calls_per_copy_1000', kind: 'max', threshold: 3, unit: '' } },
  { metric: 'notify_lag_median_s', what: 'copy Available → webhook, median (virtual s)', goal: { metric: 'notify_lag_median_s', kind: 'max', threshold: 6, unit: 's' } },
  { metric: 'notify_lag_p90_s', what: 'copy Available → webhook, p90 (virtual s)' },
  { metric: 'poll_pass_20k_queued_ms', what: 'poll pass wall ms, 20,000 queued + 300 copying', goal: { metric: 'poll_pass_20k_queued_ms', kind: 'below', threshold: 2000, unit: 'ms' } },
  { metric: 'poll_pass_20k_linearity', what: 'per-job cost of that pass ÷ at 1/100 the table' },
  { metric: 'poll_pass_10k_progress_table_calls', what: 'Tablestore calls, pass with 10,000 copies progressing', goal: { metric: 'poll_pass_10k_progress_table_calls', kind: 'below', threshold: 300, unit: '' } },
  { metric: 'cold_start_ratio_max', what: 'worst bundle cold start ÷ bare node', goal: { metric: 'cold_start_ratio_max', kind: 'max', threshold: 3, unit: '' } },
];

export type Verdict = 'pass' | 'miss' | 'not measured' | 'info';

export const verdictOf = (goal: Goal | undefined, value: number | undefined): Verdict => {
  if (value === undefined || !Number.isFinite(value)) return 'not measured';
  if (goal === undefined) return 'info';
  return (goal.kind === 'max' ? value <= goal.threshold : value < goal.threshold) ? 'pass' : 'miss';
};

export interface ScenarioOutcome {
  readonly id: string;
  readonly title: string;
  readonly produces: readonly string[];
  readonly wallMs: number;
  readonly measured?: Measured | undefined;
  readonly error?: string | undefined;
}

export interface BenchRun {
  readonly outcomes: readonly ScenarioOutcome[];
  readonly wallMs: number;
}

/** The figures this run was meant to make: all of them, or those of the scenarios picked with --only. */
const figuresOf = (run: BenchRun) => FIGURES.filter((figure) => run.outcomes.some((outcome) => outcome.produces.includes(figure.metric)));

const metricsOf = (run: BenchRun): Map<string, number> =>
  new Map(run.outcomes.flatMap((outcome) => Object.entries(outcome.measured?.metrics ?? {})));

/** A required figure that is missing or not a number: the run failed to measure. */
export const unmeasured = (run: BenchRun): string[] => {
  const metrics = metricsOf(run);
  return figuresOf(run).filter((figure) => verdictOf(undefined, metrics.get(figure.metric)) === 'not measured').map((figure) => figure.metric);
};

const wallKey = (id: string): string => `wall_s_${id.replace(/[^a-z0-9]+/gi, '_')}`;

/**
 * One flat object of numbers: the required figures first (null when not measured, so a reader
 * sees the hole), then supporting figures, then the wall seconds each scenario took.
 */
export const jsonReport = (run: BenchRun): Record<string, number | null> => {
  const metrics = metricsOf(run);
  const json: Record<string, number | null> = {};
  for (const figure of figuresOf(run)) {
    const value = metrics.get(figure.metric);
    json[figure.metric] = value !== undefined && Number.isFinite(value) ? value : null;
  }
  for (const [metric, value] of metrics) if (!(metric in json)) json[metric] = Number.isFinite(value) ? value : null;
  for (const outcome of run.outcomes) json[wallKey(outcome.id)] = outcome.wallMs / 1000;
  json.wall_s_total = run.wallMs / 1000;
  return json;
};

const formatValue = (value: number | undefined): string => {
  if (value === undefined || !Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(Math.abs(value) >= 10 ? 1 : 3);
};

const formatGoal = (goal: Goal | undefined): string => (goal === undefined ? '—' : `${goal.kind === 'max' ? '≤' : '<'} ${goal.threshold}${goal.unit === '' ? '' : ` ${goal.unit}`}`);

export const formatTable = (run: BenchRun, context: string): string => {
  const metrics = metricsOf(run);
  const figures = figuresOf(run);
  const rows = figures.map((figure) => {
    const value = metrics.get(figure.metric);
    return [figure.metric, figure.what, formatValue(value), formatGoal(figure.goal), verdictOf(figure.goal, value)];
  });
  const header = ['figure', 'what', 'measured', 'goal', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === 2 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const judged = figures.filter((figure) => figure.goal !== undefined);
  const met = judged.filter((figure) => verdictOf(figure.goal, metrics.get(figure.metric)) === 'pass').length;
  const missing = unmeasured(run);
  const scenarios = run.outcomes.flatMap((outcome) => [
    `${outcome.id} (${(outcome.wallMs / 1000).toFixed(1)} s): ${outcome.title}`,
    ...(outcome.error === undefined ? (outcome.measured?.details ?? []) : [`FAILED: ${outcome.error}`]).map((detail) => `    ${detail}`),
  ]);
  return [
    context,
    '',
    line(header),
    ...rows.map(line),
    '',
    `${met} of ${judged.length} goals met.${missing.length > 0 ? ` NOT MEASURED: ${missing.join(', ')}.` : ''}`,
    'A missed goal is reported here and the bench still exits 0; a figure that could not be measured exits 1.',
    '',
    `How each figure came about (wall time per scenario; ${(run.wallMs / 1000).toFixed(1)} s in all):`,
    ...scenarios,
  ].join('\n');
};
