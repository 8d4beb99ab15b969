import { LOCAL_MAX_RECEIVES, QueueName } from '../../../runtime/local-runtime';
import { JobStatus } from '../../../shared/core/domain/job';
import { DEFAULT_ACCOUNT, type ProviderId } from '../../../shared/core/domain/provider';
import { encodeMessage, ReplicationRequestedV2 } from '../../../shared/core/messages/messages';
import { SqliteMessageQueue } from '../../../shared/stores/sqlite/sqlite-message-queue';
import { ScenarioGroup, type ScenarioSpec } from '../scenario';
import type { World } from '../world';
import { TWO_GOLDEN } from './faults';

const MIB = 1024 * 1024;

/** What never belongs on the start-copy queue, each a different way for one message to be bad. */
const POISON: ReadonlyArray<readonly [string, () => string]> = [
  ['not JSON', () => 'this is not a message'],
  // Larger than any queue takes: it can only come from a broken or hostile producer.
  ['1 MiB body', () => JSON.stringify({ type: 'replication.requested', version: 2, origin: 'x'.repeat(MIB) })],
  ['no source', () => JSON.stringify({ type: 'replication.requested', version: 2, origin: 'chaos' })],
  ['unknown type', () => JSON.stringify({ type: 'replication.deleted', version: 1 })],
  ['deeply nested', () => `${'['.repeat(4000)}${']'.repeat(4000)}`],
];

/** Where a dead letter names its message: its own id (the queue moved it), the letter's messageId, or the raw event it keeps. */
const namesMessage = (letter: { readonly messageId: string; readonly body: string }, messageId: string): boolean => {
  if (letter.messageId === messageId) return true;
  try {
    const parsed = JSON.parse(letter.body) as { messageId?: unknown; raw?: unknown };
    return parsed.messageId === messageId || (typeof parsed.raw === 'string' && parsed.raw.includes(messageId));
  } catch {
    return false;
  }
};

/**
 * One delivery of poison and good messages interleaved, while the dead-letter queue fails. The
 * good requests must all be done, in the first delivery even when the letters cannot be sent;
 * every poison message must end on the dead-letter queue exactly once, by the handler or by the
 * queue's receive limit, however often its batch is redelivered; and nothing else may be lost.
 */
export const poisonBatch = (provider: ProviderId, seed: number, deadLetterFailures: number | 'always'): ScenarioSpec => {
  const poisonIds: string[] = [];
  return {
    name: `poison batch, dead-letter sends failing ${deadLetterFailures === 'always' ? 'all run' : `${deadLetterFailures}×`}`,
    group: ScenarioGroup.Poison,
    provider,
    seed,
    images: [...TWO_GOLDEN],
    imageEvents: 0,
    delivery: { duplicateMessages: false, maxDelaySeconds: 0, webhookFailure: 0, deadLetterFailures },
    expectedDeadLetters: POISON.length,
    prepare: async (world: World) => {
      poisonIds.length = 0;
      // The same queue, opened the way a producer with a larger limit would: only so a 1 MiB body can be put on it.
      const lax = new SqliteMessageQueue(world.runtime.db, QueueName.StartCopy, { clock: world.clock, maxReceives: LOCAL_MAX_RECEIVES, deadLetterQueue: QueueName.DeadLetters, maxBodyBytes: 2 * MIB });
      const good = TWO_GOLDEN.map((image) =>
        encodeMessage(ReplicationRequestedV2, {
          type: 'replication.requested',
          version: 2,
          origin: 'chaos-poison',
          source: { provider, account: DEFAULT_ACCOUNT, region: world.cloud.sourceRegion, imageId: world.cloud.imageId(image.name) },
        }),
      );
      // Poison first, then each good request behind more poison: a batch that stops at the first bad one loses them.
      for (const [index, [, body]] of POISON.entries()) {
        poisonIds.push((await lax.send(body())).messageId);
        const request = good[index];
        if (request !== undefined) await lax.send(request);
      }
    },
    expect: { golden: { outcome: JobStatus.Available } },
    verify: async (world) => {
      // What the queue moved after too many receives (read first: receiving from the dead-letter
      // queue would count those receives again), then the handler's own letters.
      const moved = await world.runtime.startCopyQueue.listDeadLetters();
      const letters = [...moved, ...(await world.runtime.deadLetters.receive(100, 60))];
      const problems = POISON.flatMap(([what], index) => {
        const id = poisonIds[index] ?? '';
        const naming = letters.filter((letter) => namesMessage(letter, id)).length;
        if (naming === 0) return [`the ${what} message (${id}) is not on the dead-letter queue`];
        // A redelivered batch must not set aside again what it already set aside.
        return naming === 1 ? [] : [`the ${what} message (${id}) was set aside ${naming} times`];
      });
      // With the dead-letter queue back after a failure, the good requests were done and acknowledged:
      // nothing but the poison may end there. (Down for the whole run, the queue's receive limit
      // moves the batch that cannot set its poison aside, good requests included: nothing is lost.)
      const others = letters.length - POISON.length;
      if (deadLetterFailures !== 'always' && others > 0) problems.push(`${others} letter(s) for messages that were not poison`);
      return problems;
    },
  };
};
