import { DeliveryStatus, type Job, JobStatus, NotificationStatus, isTerminal } from '../../shared/core/domain/job';
import type { DeadLetterV1 } from '../../shared/platform/fc/dead-letter';
import type { InvocationFailure, RequestSeen } from '../../runtime/run-ledger';
import type { RunOutcome } from '../../runtime/local-runtime';
import { ExitCode } from '../exit-codes';

/** Everything a run did, as far as judging it goes: only this run's work, never the table's history. */
export interface RunFacts {
  readonly outcome: RunOutcome;
  /** Exit code asked for by the signal that stopped the run (130 or 143). */
  readonly stopCode: number;
  readonly sweepError?: string | undefined;
  /** Letters the handlers set aside during this run. */
  readonly letters: readonly DeadLetterV1[];
  /** Messages the queues themselves set aside during this run (too many receives, unreadable rows). */
  readonly movedByQueues: number;
  readonly lastFailure?: InvocationFailure | undefined;
  readonly consecutiveFailures: number;
  /** Jobs this run wrote (updated after it started). */
  readonly touched: readonly Job[];
  /** Replication requests this run delivered, and every job in the table afterwards. */
  readonly requests: readonly RequestSeen[];
  readonly allJobs: readonly Job[];
  /** Corrupt job rows this run set aside, by id. */
  readonly setAside: readonly string[];
}

export interface Verdict {
  readonly exitCode: number;
  /** The one line that says how the run went and, when it failed, why. */
  readonly line: string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const failureText = (failure: InvocationFailure | undefined): string =>
  failure === undefined ? 'unknown error' : `${failure.function}: ${firstLine(failure.code, failure.message)}`;

const firstLine = (code: string, message: string): string => {
  const line = (message.split('\n').find((l) => l.trim() !== '') ?? '').replace(/\s+/g, ' ').trim();
  const cut = line.length > 240 ? `${line.slice(0, 239)}…` : line;
  return code === '' || line.includes(code) ? cut : `${code}: ${cut}`;
};

const requestMadeNoJob = (request: RequestSeen, jobs: readonly Job[]): boolean =>
  !jobs.some((job) => job.provider === request.provider && job.source.region === request.region && job.source.imageId === request.imageId);

/**
 * How a run went, in order of what a person must hear first. A run fails when it could not do what
 * it was asked: the sweep failed, input was set aside, the target kept refusing, a job it worked on
 * ended without a copy, or a request it delivered made no job at all.
 */
export const judgeRun = (facts: RunFacts): Verdict => {
  if (facts.outcome === 'stopped') {
    return { exitCode: facts.stopCode, line: 'stopped; the state is kept and the next `image-replicator run` resumes' };
  }
  if (facts.sweepError !== undefined) {
    return { exitCode: ExitCode.Failed, line: `failed: the sweep could not run: ${facts.sweepError}` };
  }
  const latest = facts.letters.at(-1);
  if (latest !== undefined) {
    return {
      exitCode: ExitCode.Failed,
      line: `failed: ${plural(facts.letters.length, 'input')} set aside on the dead-letter queue (latest, ${latest.function}: ${firstLine(latest.code, latest.reason)}); see \`image-replicator dead-letters\``,
    };
  }
  if (facts.movedByQueues > 0) {
    return {
      exitCode: ExitCode.Failed,
      line: `failed: ${plural(facts.movedByQueues, 'message')} set aside by the queues, unreadable or failing every delivery${facts.lastFailure === undefined ? '' : ` (last error, ${failureText(facts.lastFailure)})`}; see \`image-replicator dead-letters\``,
    };
  }
  if (facts.outcome === 'stalled') {
    return {
      exitCode: ExitCode.Failed,
      line: `failed: stopped after ${plural(facts.consecutiveFailures, 'failed invocation')} in a row with nothing else to do (${failureText(facts.lastFailure)}); the queued work is kept for the next run`,
    };
  }
  const ended = facts.touched.filter((job) => isTerminal(job.status));
  // Retention's outcomes (deprecated, pruned) are done on purpose: no failure.
  const failed = ended.filter((job) => job.status === JobStatus.Failed || job.status === JobStatus.TimedOut || job.status === JobStatus.Cancelled);
  const retained = ended.filter((job) => job.status === JobStatus.Deprecated || job.status === JobStatus.Pruned);
  const first = failed[0];
  if (first !== undefined) {
    const why = first.lastError === undefined ? first.status : `${first.status}, ${firstLine(first.lastError.code, first.lastError.message)}`;
    return {
      exitCode: ExitCode.Failed,
      line: `failed: ${failed.length} of ${plural(ended.length - retained.length, 'job')} ended without a copy (${first.id}: ${why}${failed.length > 1 ? `; and ${failed.length - 1} more` : ''})`,
    };
  }
  const unheard = ended.filter((job) => job.notification.status === NotificationStatus.GaveUp);
  const firstUnheard = unheard[0];
  if (firstUnheard !== undefined) {
    const failing = Object.entries(firstUnheard.notification.webhooks).find(([, d]) => d.status === DeliveryStatus.GaveUp);
    return {
      exitCode: ExitCode.Failed,
      line: `failed: the copies are available, but the webhooks gave up on ${plural(unheard.length, 'job')} (${firstUnheard.id}${failing === undefined ? '' : `, webhook ${failing[0]}: ${firstLine('', failing[1].lastError ?? 'no answer')}`})`,
    };
  }
  const orphan = facts.requests.find((request) => requestMadeNoJob(request, facts.allJobs));
  if (orphan !== undefined) {
    return {
      exitCode: ExitCode.Failed,
      line: `failed: the request for ${orphan.imageId} (${orphan.provider} ${orphan.region}${orphan.policy === undefined ? '' : `, policy ${orphan.policy}`}) made no job: no policy selects that image, or the account has no such image`,
    };
  }
  const aside = facts.setAside.length > 0 ? `; ${plural(facts.setAside.length, 'unreadable job row')} set aside (${facts.setAside.join(', ')})` : '';
  // A copy retention could not delete (in use, refused) stays, saying why: no new copy, no failure.
  const kept = ended.filter((job) => (job.status === JobStatus.Available || job.status === JobStatus.Deprecated) && job.lastError !== undefined);
  const available = ended.filter((job) => job.status === JobStatus.Available && job.lastError === undefined).length;
  const pruned = retained.filter((job) => job.status === JobStatus.Pruned).length;
  const deprecated = retained.filter((job) => job.status === JobStatus.Deprecated && job.lastError === undefined).length;
  const retention = [
    pruned > 0 ? `${plural(pruned, 'copy', 'copies')} deleted by retention` : '',
    deprecated > 0 ? `${plural(deprecated, 'copy', 'copies')} deprecated by retention` : '',
    kept.length > 0 ? `${plural(kept.length, 'copy', 'copies')} past retention kept (${[...new Set(kept.map((job) => job.lastError?.code))].join(', ')})` : '',
  ].filter((part) => part !== '');
  if (available === 0 && retention.length === 0) return { exitCode: ExitCode.Ok, line: `done: nothing to do, every selected image is where the policies want it${aside}` };
  return {
    exitCode: ExitCode.Ok,
    line: `done: ${[...(available > 0 ? [`${plural(available, 'copy', 'copies')} available`] : []), ...retention].join(', ')}${aside}`,
  };
};
