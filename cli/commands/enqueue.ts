import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteMessageQueue } from '../../shared/stores/sqlite/sqlite-message-queue';
import { systemClock } from '../../shared/core/domain/clock';
import { LOCAL_MAX_RECEIVES, QueueName } from '../../runtime/local-runtime';

/** Puts a request on the local start-copy queue, as a producer in the cloud would put it on MNS. */
export const enqueueRequest = async (stateDir: string, body: string): Promise<string> => {
  mkdirSync(stateDir, { recursive: true });
  const queue = new SqliteMessageQueue(join(stateDir, 'state.db'), QueueName.StartCopy, {
    clock: systemClock,
    maxReceives: LOCAL_MAX_RECEIVES,
    deadLetterQueue: QueueName.DeadLetters,
  });
  try {
    return (await queue.send(body)).messageId;
  } finally {
    queue.close();
  }
};
