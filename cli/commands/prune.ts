import type { Command } from 'commander';
import { type Job, JobStatus, NotificationStatus } from '../../shared/core/domain/job';
import { createPrune, PruneAction, type PruneDecision } from '../../shared/core/use-cases/prune';
import type { CommandContext } from '../command-context';
import { CliFailure, oneLine } from '../errors';
import { ExitCode } from '../exit-codes';
import { withExamples } from '../help';
import { createRunLogger } from '../local/run-logger';
import { openWorkspace, withWorkspaceOptions, type WorkspaceFlags } from '../local/workspace';
import { table } from '../render/table';

interface PruneFlags extends WorkspaceFlags {
  readonly dryRun: boolean;
  readonly json: boolean;
}

/** What became of one copy retention chose to deprecate or delete. */
export interface PruneResult {
  readonly jobId: string;
  readonly action: 'deprecate' | 'delete';
  /** It happened (with --dry-run: it would be done). */
  readonly done: boolean;
  /** The job's status afterwards. */
  readonly status: string;
  /** Why it was not done, when it was not. */
  readonly refusal: string | null;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const gib = (n: number): string => `${Math.round(n * 100) / 100} GiB`;

/** After a real prune: the job as stored says whether its step happened, and if not, why. */
const resultOf = (decision: PruneDecision, job: Job | undefined, deferred: ReadonlySet<string>): PruneResult => {
  const action = decision.action === PruneAction.Deprecate ? 'deprecate' : 'delete';
  const base = { jobId: decision.jobId, action, status: job?.status ?? 'gone' } as const;
  if (job === undefined) return { ...base, done: false, refusal: 'the job is no longer in the table' };
  if (deferred.has(decision.jobId)) return { ...base, done: false, refusal: 'the provider did not answer (the log says why); the next prune or run goes on with it' };
  if (action === 'deprecate') {
    return job.status === JobStatus.Deprecated
      ? { ...base, done: true, refusal: null }
      : { ...base, done: false, refusal: 'in use, or the provider cannot tell whether it is: kept as it is' };
  }
  if (job.status === JobStatus.Pruned) return { ...base, done: true, refusal: null };
  if (job.lastError !== undefined) return { ...base, done: false, refusal: `${job.lastError.code}: ${job.lastError.message}` };
  if (job.status === JobStatus.Pruning) return { ...base, done: false, refusal: 'the deletion did not finish; the next run goes on with it' };
  return { ...base, done: false, refusal: 'not started: its last outcome is still being notified; prune again after the next run' };
};

const decisionRows = (decisions: readonly PruneDecision[], results: ReadonlyMap<string, PruneResult> | undefined): string[][] =>
  decisions.map((d) => {
    const result = results?.get(d.jobId);
    const outcome = result === undefined ? d.action : result.done ? (result.action === 'delete' ? 'deleted' : 'deprecated') : `not ${result.action === 'delete' ? 'deleted' : 'deprecated'}`;
    return [d.policy, d.region, `${d.imageId} (${d.sourceName})`, d.group, outcome, result?.refusal ?? `${d.reason}${d.action === PruneAction.Delete ? `, ${gib(d.sizeGiB)}` : ''}`];
  });

/**
 * Retention, once, on its own: per policy and destination the copies past retention are deprecated
 * or deleted (only copies carrying the managed tag that the job table knows, never the newest of a
 * group, never one in use). `run` does the same after each sweep; this is the way to do it, or to
 * see what it would do, without a sweep.
 */
export const registerPrune = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = withWorkspaceOptions(
    program
      .command('prune')
      .description("apply the policies' retention once: deprecate or delete the copies past it (--dry-run: only say which, and why)")
      .option('--dry-run', 'list what would be deprecated or deleted and why; change nothing', false)
      .option('--json', 'one JSON object ({"version": 1, ...}) instead of the table', false),
  ).addHelpText(
    'after',
    `
Only copies that carry the product's managed tag and that the job table knows are touched; the
newest copy of a group and any copy in use are kept. A deleted copy is unshared first, then the
image and its snapshots go; its job ends \`pruned\` and its notification goes out with the next run.`,
  );
  withExamples(
    command,
    ['image-replicator prune --config my-policy.yaml --dry-run', 'image-replicator prune --config my-policy.yaml', 'image-replicator prune --dry-run --json | jq ".decisions[] | select(.action != \\"keep\\")"'],
    { 1: 'a copy could not be deprecated or deleted (in use, refused by the provider), or there is no local state' },
  ).action(async (flags: PruneFlags) => {
    const { io } = ctx;
    const workspace = await openWorkspace(io, flags, { requireState: true });
    try {
      const { backend, target, config } = workspace;
      const hasRetention = config.policies.some((p) => p.retention !== undefined || p.destinations.some((d) => d.retention !== undefined));
      if (!hasRetention) {
        io.out(flags.json ? `${JSON.stringify({ version: 1, dryRun: flags.dryRun, decisions: [], results: [], failed: [] }, null, 2)}\n` : `no policy in ${workspace.configPath} has retention: nothing to prune\n`);
        return done(ExitCode.Ok);
      }
      const { logger } = createRunLogger({ stateDir: workspace.stateDir, env: io.env, secrets: target.secrets, clock: target.clock, verbose: false, json: flags.json, show: (line) => io.err(`${line}\n`) });
      const prune = createPrune({ config, providers: target.providers, jobs: backend.jobs, queues: backend.queues, clock: target.clock, logger: logger.child({ function: 'prune' }) });
      const outcome = await prune({ dryRun: flags.dryRun }).catch((error: unknown) => {
        throw new CliFailure(`retention stopped: ${oneLine(error, target.secrets)}; what is done stays done, and the next prune or run goes on`);
      });
      const acted = outcome.decisions.filter((d) => d.action !== PruneAction.Keep);
      const kept = outcome.decisions.length - acted.length;
      const after = flags.dryRun ? [] : await Promise.all(acted.map(async (d) => ({ decision: d, job: await backend.jobs.get(d.jobId) })));
      const deferred = new Set(outcome.deferred);
      const results = after.map(({ decision, job }) => resultOf(decision, job, deferred));
      const notifying = after.some(({ job }) => job?.notification.status === NotificationStatus.Pending);
      const failed = results.filter((r) => !r.done);

      if (flags.json) {
        io.out(`${JSON.stringify({ version: 1, dryRun: flags.dryRun, decisions: outcome.decisions, results, failed: outcome.failed }, null, 2)}\n`);
      } else {
        io.out(`retention per ${workspace.configPath} on ${target.description}${flags.dryRun ? ' (dry run: nothing is changed)' : ''}\n\n`);
        if (acted.length > 0) io.out(`${table(['policy', 'destination', 'copy (source)', 'group', flags.dryRun ? 'would' : 'outcome', 'why'], decisionRows(acted, flags.dryRun ? undefined : new Map(results.map((r) => [r.jobId, r]))))}\n\n`);
        const deletes = acted.filter((d) => d.action === PruneAction.Delete);
        const deprecates = acted.filter((d) => d.action === PruneAction.Deprecate);
        if (flags.dryRun) {
          io.out(
            acted.length === 0
              ? `nothing past retention; ${plural(kept, 'copy', 'copies')} kept\n`
              : `would delete ${plural(deletes.length, 'copy', 'copies')} (${gib(deletes.reduce((n, d) => n + d.sizeGiB, 0))}) and deprecate ${deprecates.length}; ${plural(kept, 'copy', 'copies')} kept; \`image-replicator prune\` does it\n`,
          );
        } else {
          io.out(
            `${acted.length === 0 ? 'nothing past retention' : `deleted ${plural(outcome.deleted, 'copy', 'copies')}, deprecated ${outcome.deprecated}${failed.length > 0 ? `, ${failed.length} not done (why on stderr)` : ''}`}; ${plural(kept, 'copy', 'copies')} kept${notifying ? '; the notifications go out with the next run' : ''}\n`,
          );
        }
      }
      for (const result of failed) io.err(`not ${result.action === 'delete' ? 'deleted' : 'deprecated'}: ${result.jobId}: ${result.refusal ?? ''}\n`);
      for (const failure of outcome.failed) {
        io.err(`retention could not do ${failure.policy} in ${failure.region}${failure.jobId === undefined ? '' : ` (${failure.jobId})`}: ${oneLine(`${failure.code}: ${failure.message}`, target.secrets)}\n`);
      }
      done(failed.length > 0 || outcome.failed.length > 0 ? ExitCode.Failed : ExitCode.Ok);
    } finally {
      await workspace.close();
    }
  });
};
