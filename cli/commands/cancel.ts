import type { Command } from 'commander';
import { JobStatus } from '../../shared/core/domain/job';
import type { CopyProviders } from '../../shared/core/ports/copy-provider';
import { createCancelJob } from '../../shared/core/use-cases/cancel-job';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { type BackendFlags, openBackend, withBackendOptions } from '../backend-options';
import type { CommandContext } from '../command-context';
import { CliFailure, oneLine } from '../errors';
import { ExitCode } from '../exit-codes';
import { withExamples } from '../help';
import { jobView } from '../job-view';

interface CancelFlags extends BackendFlags {
  readonly reason: string;
  readonly json: boolean;
}

export const registerCancel = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = withBackendOptions(
    program
      .command('cancel')
      .description('stop a job; a running copy is cancelled at the provider (one it cannot stop is deleted when it ends), and the outcome is notified')
      .argument('<job-id>', 'the job to stop (see `status`)')
      .option('--reason <text>', 'recorded on the job and sent with its notification', 'cancelled by an operator')
      .option('-c, --config <file>', 'policy file, for the local target (default: the packaged example)')
      .option('--json', 'the job as JSON (the `status --json` shape): `cancelled`, or `stopping` while a copy the provider cannot stop runs to its end', false),
  );
  withExamples(command, ['image-replicator cancel rj-3f9c… --reason "wrong image"', 'image-replicator cancel rj-3f9c… --cloud']).action(
    async (jobId: string, flags: CancelFlags) => {
      const { io } = ctx;
      const opened = await openBackend(io, flags, { withTarget: true });
      try {
        const { backend } = opened;
        // Asked for only when a copy is running: cancelling a queued job needs no provider.
        const providers: CopyProviders = { get: (provider, account) => backend.providers().get(provider, account) };
        const cancel = createCancelJob({ providers, jobs: backend.jobs, queues: backend.queues, clock: backend.clock, logger: silentLogger });
        const job = await cancel(jobId, flags.reason).catch((error: unknown) => {
          throw error instanceof CliFailure ? error : new CliFailure(`not cancelled: ${oneLine(error, opened.secrets)}`);
        });
        const label = `${job.id} (${job.source.imageName} → ${job.destination.region})`;
        if (flags.json) io.out(`${JSON.stringify(jobView(job))}\n`);
        else if (job.status === JobStatus.Stopping) {
          // The decision is on record; the provider cannot stop this copy, so it is deleted when it ends.
          const watcher = backend.kind === 'local' ? '`image-replicator run --no-sweep` watches it' : 'poll-status watches it';
          io.out(`stopping ${label}: ${job.provider} cannot stop a running copy; ${watcher}, deletes the copy when it ends and records the job cancelled then\n`);
        } else {
          const next = backend.kind === 'local' ? 'its notification goes out with the next run' : 'notify sends its notification';
          io.out(`cancelled ${label}; ${next}\n`);
        }
        done(ExitCode.Ok);
      } finally {
        await opened.close();
      }
    },
  );
};
