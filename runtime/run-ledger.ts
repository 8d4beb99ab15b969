import { z } from 'zod';
import { errorCode, errorMessage } from '../shared/core/domain/errors';
import { StartCopyMessage, upgradeStartCopyMessage } from '../shared/core/messages/messages';
import { DeadLetterV1 } from '../shared/platform/fc/dead-letter';
import { unwrapRequeued } from '../shared/platform/fc/requeue';
import type { MessageQueue } from '../shared/core/ports/message-queue';

export interface InvocationFailure {
  readonly function: string;
  readonly code: string;
  readonly message: string;
}

/** A replication request a start-copy delivery carried: what somebody asked this run to do. */
export interface RequestSeen {
  readonly messageId: string;
  readonly provider: string;
  readonly account: string;
  readonly region: string;
  readonly imageId: string;
  readonly policy?: string | undefined;
}

/** What the FC handlers answer (start-copy and notify); poll-status answers something else. */
const BatchAnswer = z
  .object({
    deadLettered: z.number().int().nonnegative(),
    /** Inputs of the batch put back on their queue: the invocation succeeded, they did not. */
    retry: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .loose();
/** poll-status's answer; a poll with nothing in flight did no work, so it proves nothing about the target. */
const PollAnswer = z.object({ inFlight: z.number().int().nonnegative() }).loose();

/**
 * What this process's invocations did, for the CLI to judge a run on its own work rather than on
 * the table's whole history: failures in a row, inputs set aside, requests delivered.
 */
export class RunLedger {
  invocations = 0;
  failures = 0;
  /** Failed invocations since the last one that succeeded: a target that refuses everything. */
  consecutiveFailures = 0;
  lastFailure: InvocationFailure | undefined;
  /** Letters the handlers put on the dead-letter queue during this process. */
  readonly letters: DeadLetterV1[] = [];
  readonly requests: RequestSeen[] = [];

  failed(functionName: string, error: unknown): void {
    this.#fail({ function: functionName, code: errorCode(error), message: errorMessage(error) });
  }

  #fail(failure: InvocationFailure): void {
    this.invocations += 1;
    this.failures += 1;
    this.consecutiveFailures += 1;
    this.lastFailure = failure;
  }

  /**
   * The handler answered, but inputs of its batch may have been set aside, or put back on their
   * queue after failing: that is no success for them. A batch that put an input back counts as a
   * failed invocation, as it did when the whole batch was redelivered: a target that refuses
   * everything still stops the run.
   */
  answered(functionName: string, answer: unknown): void {
    const batch = BatchAnswer.safeParse(answer);
    const retry = batch.success ? batch.data.retry : undefined;
    if (retry !== undefined) {
      this.#fail({ function: functionName, code: retry.code, message: retry.message });
      return;
    }
    this.invocations += 1;
    const idlePoll = PollAnswer.safeParse(answer);
    if (idlePoll.success && idlePoll.data.inFlight === 0) return;
    if (!(batch.success && batch.data.deadLettered > 0)) this.consecutiveFailures = 0;
  }

  sawStartCopyBody(messageId: string, body: string): void {
    let json: unknown;
    try {
      json = JSON.parse(unwrapRequeued(body).body);
    } catch {
      return;
    }
    const parsed = StartCopyMessage.safeParse(json);
    if (!parsed.success) return;
    const message = upgradeStartCopyMessage(parsed.data);
    if (message.type !== 'replication.requested') return;
    this.requests.push({ messageId, ...message.source, policy: message.policy });
  }

  /** The dead-letter queue, with every letter sent through it noted here as well. */
  watchLetters(queue: MessageQueue): MessageQueue {
    return {
      send: async (body, options) => {
        const sent = await queue.send(body, options);
        const parsed = DeadLetterV1.safeParse(safeJson(body));
        if (parsed.success) this.letters.push(parsed.data);
        return sent;
      },
    };
  }
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
