import type { Command } from 'commander';
import { createLogUpdate } from 'log-update';
import type { Job } from '../../shared/core/domain/job';
import type { OperatorBackend } from '../backend';
import { type BackendFlags, openBackend, withBackendOptions } from '../backend-options';
import type { CommandContext } from '../command-context';
import { withExamples } from '../help';
import { type JobFilter, matches, providerOption, statusOption } from '../job-filter';
import { jobView } from '../job-view';
import { demoFallback } from '../local/demo-fallback';
import { intervalSeconds } from '../options';
import { jobTable } from '../render/job-lines';
import { table } from '../render/table';

interface StatusFlags extends BackendFlags, JobFilter {
  readonly json: boolean;
  readonly watch: boolean;
  readonly interval: number;
  readonly setAside: boolean;
}

/** Waits, or returns early when the command is asked to stop. */
const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

const render = (jobs: readonly Job[], backend: OperatorBackend, flags: StatusFlags): string => {
  if (flags.json) return `${JSON.stringify(jobs.map(jobView), null, 2)}\n`;
  if (jobs.length === 0) return `no jobs in ${backend.where}${flags.policy ?? flags.provider ?? flags.region ?? flags.status ? ' match the filters' : ''}\n`;
  const counts = new Map<string, number>();
  for (const job of jobs) counts.set(job.status, (counts.get(job.status) ?? 0) + 1);
  const summary = [...counts.entries()].map(([status, n]) => `${n} ${status}`).join(', ');
  return `${jobTable(jobs)}\n\n${jobs.length} jobs: ${summary}\n`;
};

export const registerStatus = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = withBackendOptions(
    program
      .command('status')
      .description('the jobs, their progress and outcome, with the job id that cancel, retry and history take')
      .option('--json', 'a JSON array of jobs (the shape `run --json` prints)', false)
      .option('-w, --watch', 'keep the view up to date until Ctrl-C', false)
      .option('--interval <seconds>', 'seconds between refreshes with --watch', intervalSeconds, 2)
      .option('--policy <name>', 'only this policy')
      .option('--provider <id>', 'only this cloud (alibaba, huawei)', providerOption)
      .option('--region <id>', 'only jobs from or to this region')
      .option('--status <status>', 'only jobs in this status', statusOption)
      .option('--set-aside', 'list the job rows set aside because they could not be read', false),
  );
  withExamples(command, [
    'image-replicator status',
    'image-replicator status --state-dir .image-replicator/demo     # the jobs of `npm start`',
    'image-replicator status --watch --policy golden-web',
    'image-replicator status --json --status failed | jq -r ".[].jobId"',
    'image-replicator status --cloud --region cn-shanghai          # the deployed table',
  ]).action(async (flags: StatusFlags) => {
    const { io, stop } = ctx;
    const demo = demoFallback(io, flags);
    const opened = await openBackend(io, demo === undefined ? flags : { ...flags, stateDir: demo });
    try {
      const { backend } = opened;
      if (demo !== undefined && !flags.json) io.err(`(the demo's jobs, from ${demo}; --state-dir chooses another folder)\n`);
      if (flags.setAside) {
        const rows = await backend.jobs.listSetAside();
        io.out(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : rows.length === 0 ? 'no job rows set aside\n' : `${table(['job id', 'set aside at', 'reason'], rows.map((r) => [r.id, r.at, r.reason]))}\n`);
        return done(0);
      }
      const read = async () => (await backend.jobs.list({ policy: flags.policy })).filter((job) => matches(job, flags));
      const reportCorrupt = () => {
        for (const [id, reason] of backend.corrupt) io.err(`job row ${id} cannot be read and was skipped (${reason.split('\n')[0] ?? ''}); the next run sets it aside\n`);
      };
      if (!flags.watch) {
        io.out(render(await read(), backend, flags));
        reportCorrupt();
        return done(0);
      }
      const live = io.tty && io.liveStream !== undefined && !flags.json ? createLogUpdate(io.liveStream) : undefined;
      let last = '';
      while (!stop.signal.aborted) {
        const text = `${new Date().toISOString().slice(11, 19)}  ${backend.where}\n${render(await read(), backend, flags)}`;
        if (live !== undefined) live(text.trimEnd());
        else if (text.slice(10) !== last.slice(10)) io.out(`${text}\n`);
        last = text;
        await pause(flags.interval * 1000, stop.signal);
      }
      live?.done();
      reportCorrupt();
      done(stop.exitCode());
    } finally {
      await opened.close();
    }
  });
};
