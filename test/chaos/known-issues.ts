import type { ScenarioOutcome } from './scenario';

/**
 * Product bugs the suite has found and not yet fixed (none today: every one found so far is fixed,
 * see docs/reliability.md). Each is matched as narrowly as the
 * violation allows (provider, kind, scenario), so that it can never hide a new bug of another
 * shape, nor a mutant: the mutants are judged without this list. A run tolerates them unless
 * `--strict`; every one is printed, and one that stops reproducing is reported too.
 */
export interface KnownIssue {
  readonly id: string;
  readonly title: string;
  /** What the product would have to change (for the report; the fix is not the chaos suite's). */
  readonly productChange: string;
  readonly matches: (outcome: ScenarioOutcome, violation: string) => boolean;
}

/** A violation's kind is its first field: `kind · subject: what` (invariants.ts). */
export const kindOf = (violation: string): string => violation.split(' · ')[0] ?? '';

export const KNOWN_ISSUES: readonly KnownIssue[] = [];

export interface Triage {
  /** Violations no known issue explains: product (or harness) failures. */
  readonly open: readonly string[];
  readonly known: ReadonlyArray<{ readonly issue: KnownIssue; readonly violation: string }>;
}

export const triage = (outcome: ScenarioOutcome): Triage => {
  const open: string[] = [];
  const known: Array<{ issue: KnownIssue; violation: string }> = [];
  for (const violation of outcome.violations) {
    const issue = KNOWN_ISSUES.find((candidate) => candidate.matches(outcome, violation));
    if (issue === undefined) open.push(violation);
    else known.push({ issue, violation });
  }
  return { open, known };
};
