import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteJobStore } from '../../shared/stores/sqlite/sqlite-job-store';
import { jobLine, summaryTable } from '../render';
import type { Io } from './run';

/** `status`: the jobs in the local table, with per-region progress; `--json` for scripts. */
export const runStatus = async (io: Io, options: { stateDir: string; json: boolean }): Promise<number> => {
  const file = join(options.stateDir, 'state.db');
  if (!existsSync(file)) {
    io.err(`no state in ${options.stateDir} yet: run \`image-replicator run\` first\n`);
    return 1;
  }
  const store = new SqliteJobStore(file);
  try {
    const jobs = await store.list();
    if (options.json) {
      io.out(`${JSON.stringify(jobs, null, 2)}\n`);
      return 0;
    }
    if (jobs.length === 0) {
      io.out('no jobs\n');
      return 0;
    }
    const width = Math.max(...jobs.map((job) => `${job.source.imageName} → ${job.destination.region}`.length));
    io.out(`${jobs.map((job) => jobLine(job, width)).join('\n')}\n\n${summaryTable(jobs)}\n`);
    return 0;
  } finally {
    await store.close();
  }
};
