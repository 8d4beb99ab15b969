import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createJsonLogger } from '../../shared/platform/logging/json-logger';
import { SqliteJobStore } from '../../shared/stores/sqlite/sqlite-job-store';
import { SqliteMessageQueue } from '../../shared/stores/sqlite/sqlite-message-queue';
import { createCancelJob } from '../../shared/core/use-cases/cancel-job';
import { LOCAL_MAX_RECEIVES, QueueName } from '../../runtime/local-runtime';
import type { Target } from '../target';
import type { Io } from './run';

/** `cancel JOB_ID`: stops a job; its notification goes out with the next `run`. */
export const runCancel = async (io: Io, options: { stateDir: string; jobId: string; reason: string; target: Target }): Promise<number> => {
  mkdirSync(options.stateDir, { recursive: true });
  const file = join(options.stateDir, 'state.db');
  const queueOptions = { clock: options.target.clock, maxReceives: LOCAL_MAX_RECEIVES, deadLetterQueue: QueueName.DeadLetters };
  const jobs = new SqliteJobStore(file);
  const startCopy = new SqliteMessageQueue(file, QueueName.StartCopy, queueOptions);
  const notify = new SqliteMessageQueue(file, QueueName.Notify, queueOptions);
  try {
    const cancel = createCancelJob({
      providers: options.target.providers,
      jobs,
      queues: { startCopy, notify },
      clock: options.target.clock,
      logger: createJsonLogger({ level: 'warn', sink: (line) => io.err(`${line}\n`), secrets: options.target.secrets }),
    });
    const job = await cancel(options.jobId, options.reason);
    io.out(`cancelled ${job.id} (${job.source.imageName} → ${job.destination.region}); its notification goes out with the next run\n`);
    return 0;
  } finally {
    startCopy.close();
    notify.close();
    await jobs.close();
  }
};
