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
    id: 'ims-killed-copy-left',
    title: 'Huawei: a copy that failed while its submit answer was lost is left behind (killed) when the retry submits again',
    productChange:
      'huawei-copy-provider.ts startCopy: when findJobCopies finds only failed (killed) copies of this job, delete them before submitting (as the Alibaba provider does with LeftoverRemoved), or hand the failed copy back as started so the core sees the failure.',
    matches: (outcome, violation) => outcome.provider === ProviderId.Huawei && kindOf(violation) === Kind.FailedCopyLeft,
  },
  {
    id: 'ims-timed-out-copy-left',
    title: 'Huawei: a copy that timed out cannot be stopped, finishes anyway and stays in the destination; nothing deletes it',
    productChange:
      'The port says a copy the provider cannot stop "may still finish, and is deleted then", but poll-status stops watching once it records timed_out; keep such a copy in view (a stopping state) until it ends, then delete it, or change the promise. Today only a later round (the nightly sweep reopening the job) adopts it.',
    matches: (outcome, violation) => outcome.provider === ProviderId.Huawei && kindOf(violation) === Kind.TimedOutCopyLeft,
  },
  {
    id: 'ims-lease-race',
    title: 'Huawei: a dispatcher stalled between its look and its submit for longer than the dispatch lease makes a second copy',
    productChange:
      'DISPATCH_LEASE_SECONDS (120 s) is shorter than the start-copy function timeout (300 s), so a live dispatcher can be declared dead; make the lease outlast the timeout, or renew the claim (a conditional write) right before submitting and give up if the job moved.',
    matches: (outcome, violation) =>
      outcome.provider === ProviderId.Huawei && outcome.name.startsWith('redelivered while stalled at huawei.http POST') && kindOf(violation) === Kind.DuplicateCopy,
  },
  {
    id: 'relay-token-reuse',
    title: 'Alibaba: a copy retried after a lost answer from the source image may relay from a replica with the same ClientToken; ECS refuses it and the job fails',
    productChange:
      "dispatch.claimed records no choice when an attempt copies from the source (relay = job.relay ?? event.relay stays undefined), so candidateSources offers the attempt's retry the replicas, and a busy source makes it relay with the same ClientToken: ECS answers IdempotentParameterMismatch, a refusal, and the job fails. Record the source an attempt chose whichever it is (or give a changed source a new token). Reproduced by the it.fails in test/use-cases/relay.test.ts.",
    matches: (outcome, violation) =>
      outcome.provider === ProviderId.Alibaba && kindOf(violation) === Kind.WrongOutcome && violation.includes('the job ended failed (IdempotentParameterMismatch'),
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
