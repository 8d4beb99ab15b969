import type { Command } from 'commander';
import { JobStatus } from '../../shared/core/domain/job';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { type BackendFlags, openBackend, withBackendOptions } from '../backend-options';
import type { CommandContext } from '../command-context';
import { CliFailure, usageFailure } from '../errors';
import { ExitCode } from '../exit-codes';
import { withExamples } from '../help';
import { jobView } from '../job-view';
import { retryJob, type RetryOutcome } from '../operations/retry-job';

interface RetryFlags extends BackendFlags {
  readonly failed: boolean;
  readonly json: boolean;
}

export const registerRetry = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = withBackendOptions(
    program
      .command('retry')
      .description('start a failed or timed-out job again (a new round); a job still under way is refused')
      .argument('[job-id]', 'the job to retry (see `status`)')
      .option('--failed', 'every failed and timed-out job', false)
      .option('-c, --config <file>', 'policy file, for the local target (default: the packaged example)')
      .option('--json', 'the retried jobs as JSON (the `status --json` shape)', false),
  );
  withExamples(command, ['image-replicator retry rj-3f9c…', 'image-replicator retry --failed', 'image-replicator retry --failed --cloud']).action(
    async (jobId: string | undefined, flags: RetryFlags) => {
      const { io } = ctx;
      if ((jobId === undefined) === !flags.failed) throw usageFailure('retry takes a JOB_ID or --failed (one of them)');
      const opened = await openBackend(io, flags, { withTarget: true });
      try {
        const { backend } = opened;
        const deps = { jobs: backend.jobs, queues: backend.queues, clock: backend.clock, logger: silentLogger };
        const candidates =
          jobId === undefined
            ? await backend.jobs.list({ statuses: [JobStatus.Failed, JobStatus.TimedOut] })
            : [await backend.jobs.get(jobId)].flatMap((job) => (job === undefined ? [] : [job]));
        if (jobId !== undefined && candidates.length === 0) throw new CliFailure(`no job ${jobId} in ${backend.where}`);
        if (candidates.length === 0) {
          io.out('no failed or timed-out jobs to retry\n');
          return done(ExitCode.Ok);
        }
        const outcomes: RetryOutcome[] = [];
        for (const job of candidates) outcomes.push(await retryJob(deps, job));
        const next = backend.kind === 'local' ? '`image-replicator run --no-sweep` starts it' : 'start-copy dispatches it';
        for (const outcome of outcomes) {
          if (outcome.kind === 'queued' && flags.json) io.out(`${JSON.stringify(jobView(outcome.job))}\n`);
          else if (outcome.kind === 'queued') io.out(`${outcome.job.id} queued again (round ${outcome.job.round}); ${next}\n`);
          else io.err(`not retried: ${outcome.jobId}: ${outcome.reason}\n`);
        }
        done(outcomes.every((o) => o.kind === 'queued') ? ExitCode.Ok : ExitCode.Failed);
      } finally {
        await opened.close();
      }
    },
  );
};
