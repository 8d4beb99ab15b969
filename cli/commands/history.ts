import type { Command } from 'commander';
import { type BackendFlags, openBackend, withBackendOptions } from '../backend-options';
import type { CommandContext } from '../command-context';
import { CliFailure } from '../errors';
import { ExitCode } from '../exit-codes';
import { withExamples } from '../help';
import { historyView, type HistoryViewV1 } from '../job-view';
import { table } from '../render/table';

interface HistoryFlags extends BackendFlags {
  readonly json: boolean;
}

const statusChange = (entry: HistoryViewV1['entries'][number]): string => (entry.from === null ? entry.status : `${entry.from} → ${entry.status}`);

/** The job's history for a person: its line, then one row per entry, and where entries were dropped. */
const historyText = (view: HistoryViewV1): string => {
  const { job } = view;
  const head = `${job.jobId}  ${job.provider} ${job.policy}: ${job.source.imageName} (${job.source.imageId}, ${job.source.region}) → ${job.destination.region}${job.destination.imageId === null ? '' : ` ${job.destination.imageId}`}\n  now ${job.status}, round ${job.round}, attempt ${job.attempt}; notification ${job.notification}${job.error === null ? '' : `; last error ${job.error.code}: ${job.error.message}`}\n`;
  if (view.entries.length === 0) return `${head}\nno history on this record (written before jobs kept one)\n`;
  const rows = view.entries.map((entry) => [entry.at, entry.event, statusChange(entry), `${entry.round}/${entry.attempt}`, entry.call ?? '', entry.code ?? '', entry.detail ?? '']);
  // The first entry is always kept; what was dropped lies between it and the rest.
  if (view.historyDropped > 0) rows.splice(1, 0, ['…', `${view.historyDropped} entries dropped`, '', '', '', '', '']);
  return `${head}\n${table(['at', 'event', 'status', 'round/attempt', 'call', 'code', 'detail'], rows)}\n`;
};

export const registerHistory = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = withBackendOptions(
    program
      .command('history')
      .description("a job's history: every status change, provider call outcome, error and delivery, oldest first")
      .argument('<job-id>', 'the job (see `status`)')
      .option('--json', 'the job and its history entries as one JSON object', false),
  ).addHelpText(
    'after',
    `
Each entry: when (the workflow's time), the event, the status (before → after when it changed),
round/attempt, the provider call it came from, the error code and a detail. A long history keeps its
first entry and the latest ones; how many were dropped in between is shown.`,
  );
  withExamples(command, ['image-replicator history rj-3f9c…', 'image-replicator history rj-3f9c… --json | jq -r ".entries[] | [.at, .event, .code] | @tsv"', 'image-replicator history rj-3f9c… --cloud']).action(
    async (jobId: string, flags: HistoryFlags) => {
      const { io } = ctx;
      const opened = await openBackend(io, flags);
      try {
        const job = await opened.backend.jobs.get(jobId);
        if (job === undefined) throw new CliFailure(`no job ${jobId} in ${opened.backend.where}`);
        const view = historyView(job);
        io.out(flags.json ? `${JSON.stringify(view, null, 2)}\n` : historyText(view));
        done(ExitCode.Ok);
      } finally {
        await opened.close();
      }
    },
  );
};
