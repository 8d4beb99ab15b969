import { ProviderId } from '../../shared/core/domain/provider';
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
    id: 'ims-timed-out-copy-left',
    title: 'Huawei: a copy that timed out cannot be stopped, finishes anyway and stays in the destination; nothing deletes it',
    productChange:
      'The port says a copy the provider cannot stop "may still finish, and is deleted then", but poll-status stops watching once it records timed_out; keep such a copy in view (a stopping state) until it ends, then delete it, or change the promise. Today only a later round (the nightly sweep reopening the job) adopts it.',
    matches: (outcome, violation) => outcome.provider === ProviderId.Huawei && kindOf(violation) === Kind.TimedOutCopyLeft,
  },
  {
    id: 'batch-redelivery-dead-letters',
    title: 'One retryable failure redelivers the whole batch: valid requests already done pile up receives and end on the dead-letter queue',
    productChange:
      'processBatch rethrows after the batch so the trigger redelivers all of it, and every input counts a receive each time; re-enqueue only the inputs that failed (a delayed copy of the message) and acknowledge the batch. On Huawei it bites hardest: the IMS client retries no throttling or 5xx (its comment names a retry helper that does not exist), so one 429 fails a request.',
    matches: (_outcome, violation) =>
      kindOf(violation) === Kind.DeadLetters && /set aside: (\d+× (replication|dispatch)\.requested after too many receives(, |$))+$/.test(violation),
  },
  {
    id: 'skewed-cancel-vanished',
    title: 'A poll whose clock runs behind records a copy another poll cancelled at its timeout as failed: CopyVanished',
    productChange:
      'poll-status decides "our own cancel" by its own clock; persist the decision before cancelling (a timing-out write), or count a copy that vanished within a clock-skew margin of its deadline as timed out.',
    matches: (outcome, violation) =>
      outcome.name.startsWith('two polls, clocks') && kindOf(violation) === Kind.WrongOutcome && violation.includes('expected timed_out, the job ended failed (CopyVanished'),
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
