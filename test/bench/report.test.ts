import { describe, expect, it } from 'vitest';
import { FIGURES, type BenchRun, formatTable, jsonReport, unmeasured, verdictOf } from '../../bench/report';

const everyFigure = FIGURES.map((figure) => figure.metric);

const run = (metrics: Record<string, number>, error?: string): BenchRun => ({
  outcomes: [{ id: 'all', title: 'every figure', produces: everyFigure, wallMs: 1_500, ...(error === undefined ? { measured: { metrics, details: ['detail line'] } } : { error }) }],
  wallMs: 2_000,
});

/** Every figure meeting its goal: at the threshold where that passes, under it where it must be below. */
const allMeetingGoals = (): Record<string, number> =>
  Object.fromEntries(FIGURES.map((figure) => [figure.metric, figure.goal === undefined ? 1 : figure.goal.kind === 'max' ? figure.goal.threshold : figure.goal.threshold / 2]));

describe('bench report', () => {
  it('passes a figure at its threshold when the goal is "at most", misses it when the goal is "below"', () => {
    // Prepare
    const atMost = { metric: 'x', kind: 'max' as const, threshold: 3, unit: '' };
    const below = { metric: 'y', kind: 'below' as const, threshold: 300, unit: '' };
    // Act
    const verdicts = [verdictOf(atMost, 3), verdictOf(atMost, 3.01), verdictOf(below, 300), verdictOf(below, 299), verdictOf(undefined, 1), verdictOf(atMost, Number.NaN)];
    // Assess
    expect(verdicts).toEqual(['pass', 'miss', 'miss', 'pass', 'info', 'not measured']);
  });

  it('writes every required figure as a number, then supporting figures and wall seconds', () => {
    // Prepare
    const complete = run({ ...allMeetingGoals(), extra_figure: 42 });
    // Act
    const json = jsonReport(complete);
    // Assess
    expect(Object.keys(json).slice(0, everyFigure.length)).toEqual(everyFigure);
    expect(Object.values(json).every((value) => typeof value === 'number')).toBe(true);
    expect(json).toMatchObject({ extra_figure: 42, wall_s_all: 1.5, wall_s_total: 2 });
    expect(unmeasured(complete)).toEqual([]);
  });

  it('shows a figure a failed scenario did not make as null and names it as not measured', () => {
    // Prepare
    const failed = run({}, 'the simulator did not answer');
    // Act
    const [json, missing, table] = [jsonReport(failed), unmeasured(failed), formatTable(failed, 'context')];
    // Assess
    expect(json.relay_1x10_ratio).toBeNull();
    expect(missing).toEqual(everyFigure);
    expect(table).toContain('NOT MEASURED');
    expect(table).toContain('FAILED: the simulator did not answer');
  });

  it('reports a missed goal in the table without calling it unmeasured', () => {
    // Prepare
    const missed = run({ ...allMeetingGoals(), calls_per_copy_1000: 13.2 });
    // Act
    const [table, missing] = [formatTable(missed, 'context'), unmeasured(missed)];
    // Assess
    expect(table).toMatch(/calls_per_copy_1000 .* 13\.2 .* ≤ 3 +miss/);
    const judged = FIGURES.filter((figure) => figure.goal !== undefined).length;
    expect(table).toContain(`${judged - 1} of ${judged} goals met`);
    expect(missing).toEqual([]);
  });
});
