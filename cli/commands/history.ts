import type { Command } from 'commander';
import { type BackendFlags, openBackend, withBackendOptions } from '../backend-options';
import type { CommandContext } from '../command-context';
import { CliFailure } from '../errors';
import { ExitCode } from '../exit-codes';
import { withExamples } from '../help';
import { jobView } from '../job-view';

interface HistoryFlags extends BackendFlags {
  readonly json: boolean;
}

/**
 * A job's transitions, once the product keeps them. This build keeps no transition log yet, so it
 * prints the job as stored and says so; the command and its output shape stay when the log comes.
 */
export const registerHistory = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = withBackendOptions(
    program
      .command('history')
      .description("a job's record (its transitions once the product keeps a history log)")
      .argument('<job-id>', 'the job (see `status`)')
      .option('--json', 'the job as JSON (the `status --json` shape)', false),
  );
  withExamples(command, ['image-replicator history rj-3f9c…', 'image-replicator history rj-3f9c… --json']).action(async (jobId: string, flags: HistoryFlags) => {
    const { io } = ctx;
    const opened = await openBackend(io, flags);
    try {
      const job = await opened.backend.jobs.get(jobId);
      if (job === undefined) throw new CliFailure(`no job ${jobId} in ${opened.backend.where}`);
      const view = jobView(job);
      if (flags.json) {
        io.out(`${JSON.stringify(view, null, 2)}\n`);
      } else {
        io.err('this build keeps no transition history yet; showing the job as stored\n');
        const rows: [string, string][] = [
          ['created', view.createdAt],
          ['copy started', view.copyStartedAt ?? ''],
          ['last change', `${view.updatedAt}  ${view.status}${view.progressPercent === null ? '' : ` ${view.progressPercent}%`}`],
          ['finished', view.finishedAt ?? ''],
          ['round / attempt', `${view.round} / ${view.attempt}`],
          ['last error', view.error === null ? '' : `${view.error.code}: ${view.error.message} (${view.error.at})`],
          ['notification', view.notification],
        ];
        io.out(`${view.jobId}  ${view.provider} ${view.policy}: ${view.source.imageName} (${view.source.imageId}, ${view.source.region}) → ${view.destination.region} ${view.destination.imageId ?? ''}\n`);
        io.out(`${rows.filter(([, v]) => v !== '').map(([k, v]) => `  ${k.padEnd(16)} ${v}`).join('\n')}\n`);
      }
      done(ExitCode.Ok);
    } finally {
      await opened.close();
    }
  });
};
