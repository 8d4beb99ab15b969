import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Clock, systemClock } from '../../shared/core/domain/clock';
import type { CopyProviders } from '../../shared/core/ports/copy-provider';
import type { Logger } from '../../shared/core/ports/logger';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { SqliteJobStore } from '../../shared/stores/sqlite/sqlite-job-store';
import { SqliteMessageQueue } from '../../shared/stores/sqlite/sqlite-message-queue';
import { dropLocalDeadLetter, listLocalDeadLetters } from '../../runtime/local-dead-letters';
import { LOCAL_MAX_RECEIVES, QueueName } from '../../runtime/local-runtime';
import type { OperatorBackend } from '../backend';
import { type DeadLetterBox, redrivePlan, type TakeOutcome, toEntry } from '../dead-letters/entry';
import { watchCorruptRows } from './corrupt-rows';

export const STATE_FILE = 'state.db';

export const hasLocalState = (stateDir: string): boolean => existsSync(join(stateDir, STATE_FILE));

/**
 * The local state folder as an operator sees it: the SQLite job table, the queues and the dead
 * letters, opened on one database. Providers and the clock come from the run's target when a
 * command needs them (cancel asks the provider; retry reads the simulators' virtual time).
 */
export const openLocalBackend = (stateDir: string, options: LocalBackendOptions = {}): OperatorBackend =>
  backendOn(new Database(join(stateDir, STATE_FILE)), `the local state in ${stateDir}`, options);

/**
 * A job table and queues of their own, in memory, for a command that must not create state where
 * there is none yet (`plan` before the first run): what a fresh state folder would hold, gone on close.
 */
export const openEmptyBackend = (options: LocalBackendOptions = {}): OperatorBackend => backendOn(new Database(':memory:'), 'no local state yet', options);

export interface LocalBackendOptions {
  readonly clock?: Clock;
  readonly providers?: CopyProviders;
  readonly logger?: Logger;
}

const backendOn = (db: Database.Database, where: string, options: LocalBackendOptions): OperatorBackend => {
  const corrupt = new Map<string, string>();
  const clock = options.clock ?? systemClock;
  const jobs = new SqliteJobStore(db, { logger: watchCorruptRows(options.logger ?? silentLogger, corrupt) });
  const queueOptions = { clock, maxReceives: LOCAL_MAX_RECEIVES, deadLetterQueue: QueueName.DeadLetters };
  const startCopy = new SqliteMessageQueue(db, QueueName.StartCopy, queueOptions);
  const notify = new SqliteMessageQueue(db, QueueName.Notify, queueOptions);
  const poll = new SqliteMessageQueue(db, QueueName.Poll, queueOptions);
  const byFunction: Record<string, SqliteMessageQueue> = { [QueueName.StartCopy]: startCopy, [QueueName.Notify]: notify };

  const deadLetters: DeadLetterBox = {
    list: async () => listLocalDeadLetters(db).map((row) => toEntry({ id: row.messageId, body: row.body, receives: row.receives, at: row.at, movedFrom: row.movedFrom })),
    take: async (choose, action) => {
      const outcomes: TakeOutcome[] = [];
      const entries = listLocalDeadLetters(db).map((row) => toEntry({ id: row.messageId, body: row.body, receives: row.receives, at: row.at, movedFrom: row.movedFrom }));
      for (const entry of entries.filter(choose)) {
        if (action === 'drop') {
          dropLocalDeadLetter(db, entry.id);
          outcomes.push({ id: entry.id, done: true });
          continue;
        }
        const plan = redrivePlan(entry);
        const queue = plan.kind === 'send' ? byFunction[plan.function] : undefined;
        if (plan.kind === 'refused' || queue === undefined) {
          outcomes.push({ id: entry.id, done: false, reason: plan.kind === 'refused' ? plan.reason : `no local queue for ${plan.function}` });
          continue;
        }
        // A message the queue moved goes back as itself (same id, receive count reset); a letter's input is sent anew,
        // first, then the letter removed: a crash in between repeats one delivery, which consumers are built for.
        if (entry.origin === 'queue') await queue.redrive(entry.id);
        else {
          await queue.send(plan.body);
          dropLocalDeadLetter(db, entry.id);
        }
        outcomes.push({ id: entry.id, done: true, to: queue.queueName });
      }
      return outcomes;
    },
  };

  return {
    kind: 'local',
    where,
    jobs,
    queues: { startCopy, notify, poll },
    deadLetters,
    clock,
    corrupt,
    providers: () => {
      if (options.providers === undefined) throw new Error('this command was opened without providers');
      return options.providers;
    },
    close: async () => {
      await jobs.close();
      db.close();
    },
  };
};
