import type { Clock } from '../../core/domain/clock';
import { type Deadline, deadlineAt, NO_DEADLINE } from '../../core/domain/deadline';
import type { Logger } from '../../core/ports/logger';
import type { MessageQueue } from '../../core/ports/message-queue';
import type { FcContext, FcHandler } from './context';
import type { Dependencies, Wiring } from './dependencies';
import { type BatchResult, type InputRecord, processBatch, SettledMessages, settledKey } from './invocation';

/** Kept back from the invocation's timeout to record what was done and answer the trigger. */
export const DEADLINE_RESERVE_MS = 5_000;

/** The time an invocation has, from FC's `context.function.timeout`; unlimited when FC does not say. */
export const invocationDeadline = (context: FcContext, clock: Clock, startedAt: Date): Deadline => {
  const timeout = context.function?.timeout;
  return typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0
    ? deadlineAt(new Date(startedAt.getTime() + timeout * 1000), clock, DEADLINE_RESERVE_MS)
    : NO_DEADLINE;
};

export interface EdgeSpec<I, T> {
  readonly functionName: string;
  /** Never throws: each item of a delivery decoded on its own. */
  decode(event: Buffer, context: FcContext): readonly I[];
  /** What a dead letter keeps of an input; for a queue message, what it takes to put it back. */
  describe(input: I): InputRecord;
  /** The queue the function's messages come from: one that must be tried again is put back there. */
  requeue?(deps: Dependencies): MessageQueue;
  /**
   * Builds the use case for this invocation: its dependencies, a logger naming the request, the
   * deadline, and the inputs of the delivery it will be given (not those this instance settled
   * before), for a function that runs inputs delivered together as one.
   */
  prepare(deps: Dependencies, logger: Logger, deadline: Deadline, inputs: readonly I[]): (input: I) => Promise<T>;
}

/**
 * The one FC edge: decodes the event into inputs, runs the use case on each under the invocation's
 * deadline (an input not started in time is tried later, not half-done), sets bad input aside on
 * the dead-letter queue once, puts a queue message that failed retryably back on its queue alone,
 * and throws, for the trigger to redeliver, only what it cannot settle so (invocation.ts).
 * Every function's handler is this plus its decoder and use case.
 */
export const makeHandler = <I, T>(wiring: Wiring, spec: EdgeSpec<I, T>): FcHandler => {
  // The instance's memory of the messages it settled: one delivered again is not run (nor set aside) twice.
  const settled = new SettledMessages();
  return async (event: Buffer, context: FcContext): Promise<BatchResult<T>> => {
    const deps = wiring.dependencies(context.credentials);
    const startedAt = deps.clock === deps.wallClock ? deps.clock.now() : deps.wallClock.now();
    const deadline = invocationDeadline(context, deps.wallClock, startedAt);
    const logger = deps.logger.child({ function: spec.functionName, requestId: context.requestId });
    const inputs = spec.decode(event, context);
    // One this instance settled before is skipped (processBatch): the use case is built for the others.
    const toRun = inputs.filter((input) => {
      const key = settledKey(spec.describe(input));
      return key === undefined || !settled.has(key);
    });
    const run = spec.prepare({ ...deps, logger }, logger, deadline, toRun);
    return processBatch({
      functionName: spec.functionName,
      inputs,
      describe: (input) => spec.describe(input),
      run,
      logger,
      deadLetters: deps.deadLetters,
      requeue: spec.requeue?.(deps),
      settled,
      now: () => deps.clock.now(),
      deadline,
    });
  };
};
