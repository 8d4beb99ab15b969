import { Kind } from './invariants';
import type { ScenarioOutcome } from './scenario';

/**
 * Product bugs the suite has found and another engineer owns. Each is matched as narrowly as the
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

const kindOf = (violation: string): string => violation.split(' · ')[0] ?? '';

export const KNOWN_ISSUES: readonly KnownIssue[] = [
  {
    id: 'batch-redelivery-dead-letters',
    title: 'One retryable failure redelivers the whole batch: valid requests already done pile up receives and end on the dead-letter queue',
    productChange:
      'processBatch rethrows after the batch so the trigger redelivers all of it, and every input counts a receive each time; re-enqueue only the inputs that failed (a delayed copy of the message) and acknowledge the batch. On Huawei it bites hardest: the IMS client retries no throttling or 5xx (its comment names a retry helper that does not exist), so one 429 fails a request.',
    matches: (_outcome, violation) =>
      kindOf(violation) === Kind.DeadLetters && /set aside: (\d+× (replication|dispatch)\.requested after too many receives(, |$))+$/.test(violation),
  },
];

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
