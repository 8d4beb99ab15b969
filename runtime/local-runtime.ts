import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeNotifyHandler } from '../functions/notify/handler';
import { makePollStatusHandler } from '../functions/poll-status/handler';
import { makeStartCopyHandler } from '../functions/start-copy/handler';
import { SqliteSpeedBook } from '../shared/stores/sqlite/sqlite-speed-book';
import { SqliteWebhookOutbox } from '../shared/stores/sqlite/sqlite-webhook-outbox';
import { SqliteJobStore } from '../shared/stores/sqlite/sqlite-job-store';
import { SqliteMessageQueue } from '../shared/stores/sqlite/sqlite-message-queue';
import type { WebhookSecrets } from '../shared/core/config/load-policy-config';
import type { PolicyConfig } from '../shared/core/config/policy-config';
import { type Clock, secondsBetween, systemClock } from '../shared/core/domain/clock';
import { errorCode, errorMessage } from '../shared/core/domain/errors';
import type { FcContext, FcHandler } from '../shared/platform/fc/context';
import type { Dependencies, Wiring } from '../shared/platform/fc/dependencies';
import type { CopyProviders } from '../shared/core/ports/copy-provider';
import type { Logger } from '../shared/core/ports/logger';
import type { WebhookTransport } from '../shared/core/ports/webhook-transport';
import { actionTrailEvent, mnsQueueEvent, timerEvent } from './fc-events';
import { RunLedger } from './run-ledger';
import { createMemoryPlanHints } from '../shared/stores/memory/memory-plan-hints';

/** How the local runtime stands in for FC's triggers. Virtual seconds where the clock is scaled. */
export const LOCAL_POLL_INTERVAL_SECONDS = 60;
export const LOCAL_VISIBILITY_SECONDS = 120;
export const LOCAL_MAX_RECEIVES = 8;
export const LOCAL_BATCH_SIZE = 10;
export const LOCAL_TICK_MS = 50;
/** Redelivery back-off of a failed message: base · 2^(receives-1), capped (like a trigger's BACKOFF_RETRY). */
const redeliverySeconds = (dequeueCount: number): number => Math.min(10 * 2 ** Math.max(0, dequeueCount - 1), 600);

export const QueueName = { StartCopy: 'start-copy', Notify: 'notify', Poll: 'poll', DeadLetters: 'dead-letters' } as const;
/** Where the dead-letter queue's own dead letters go: it is never consumed, so only a hand-made row ends there. */
export const DEAD_LETTER_OVERFLOW_QUEUE = `${QueueName.DeadLetters}-overflow`;

/** The three functions, by the names FC knows them under. */
export const FunctionName = { StartCopy: 'start-copy', PollStatus: 'poll-status', Notify: 'notify' } as const;
export type FunctionName = (typeof FunctionName)[keyof typeof FunctionName];

export interface LocalRuntimeOptions {
  /** Folder for the SQLite table and queues; created if missing. */
  readonly stateDir: string;
  readonly config: PolicyConfig;
  readonly secrets: WebhookSecrets;
  readonly providers: CopyProviders;
  readonly transport: WebhookTransport;
  readonly clock: Clock;
  /** Real time for webhook signatures; the system clock unless a test pins it. */
  readonly wallClock?: Clock | undefined;
  readonly logger: Logger;
  readonly pause?: ((ms: number) => Promise<void>) | undefined;
  readonly pollIntervalSeconds?: number | undefined;
  /** Wraps the ports the handlers get: fault and crash injection in the chaos suite. */
  readonly decorate?: ((dependencies: Dependencies) => Dependencies) | undefined;
  /**
   * Runs one invocation. The default awaits it; the chaos suite races it against a simulated
   * process death, after which the invocation counts as failed and its messages are redelivered.
   */
  readonly invoke?: ((functionName: string, invocation: () => Promise<unknown>) => Promise<unknown>) | undefined;
}

/** Why runUntilIdle returned: nothing left to do, asked to stop, or every invocation keeps failing. */
export type RunOutcome = 'idle' | 'stopped' | 'stalled';

export interface RuntimeSnapshot {
  readonly inFlightJobs: number;
  readonly queued: { readonly startCopy: number; readonly notify: number };
  readonly deadLetters: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs the three FC handlers on one machine: the same handler code, wired to an SQLite job table
 * and SQLite queues instead of Tablestore and MNS, fed the event shapes FC would feed them.
 */
export class LocalRuntime {
  readonly db: Database.Database;
  readonly jobs: SqliteJobStore;
  readonly startCopyQueue: SqliteMessageQueue;
  readonly notifyQueue: SqliteMessageQueue;
  /** Delayed looks poll-status schedules at copies due before its next tick. */
  readonly pollQueue: SqliteMessageQueue;
  readonly deadLetters: SqliteMessageQueue;
  /** What this process's invocations did: the CLI judges a run on it. */
  readonly ledger = new RunLedger();
  readonly #handlers: { startCopy: FcHandler; pollStatus: FcHandler; notify: FcHandler };
  readonly #options: LocalRuntimeOptions;
  #lastPoll: Date | undefined;
  #invocations = 0;

  constructor(options: LocalRuntimeOptions) {
    this.#options = options;
    mkdirSync(options.stateDir, { recursive: true });
    this.db = new Database(join(options.stateDir, 'state.db'));
    this.jobs = new SqliteJobStore(this.db, { logger: options.logger });
    const queueOptions = { clock: options.clock, maxReceives: LOCAL_MAX_RECEIVES, deadLetterQueue: QueueName.DeadLetters };
    this.startCopyQueue = new SqliteMessageQueue(this.db, QueueName.StartCopy, queueOptions);
    this.notifyQueue = new SqliteMessageQueue(this.db, QueueName.Notify, queueOptions);
    this.pollQueue = new SqliteMessageQueue(this.db, QueueName.Poll, queueOptions);
    this.deadLetters = new SqliteMessageQueue(this.db, QueueName.DeadLetters, { ...queueOptions, deadLetterQueue: DEAD_LETTER_OVERFLOW_QUEUE });
    const dependencies: Dependencies = {
      config: options.config,
      secrets: options.secrets,
      providers: options.providers,
      jobs: this.jobs,
      queues: { startCopy: this.startCopyQueue, notify: this.notifyQueue, poll: this.pollQueue },
      deadLetters: this.ledger.watchLetters(this.deadLetters),
      transport: options.transport,
      clock: options.clock,
      wallClock: options.wallClock ?? systemClock,
      logger: options.logger,
      pause: options.pause ?? sleep,
      // Outboxes in the same file as the jobs: rate budgets hold across runs and processes.
      outbox: new SqliteWebhookOutbox(this.db),
      speeds: new SqliteSpeedBook(this.db),
      plans: createMemoryPlanHints(),
    };
    const decorated = options.decorate?.(dependencies) ?? dependencies;
    const wiring: Wiring = { dependencies: () => decorated };
    this.#handlers = {
      startCopy: makeStartCopyHandler(wiring),
      pollStatus: makePollStatusHandler(wiring),
      notify: makeNotifyHandler(wiring),
    };
  }

  async #invoke(name: string, invocation: () => Promise<unknown>): Promise<unknown> {
    try {
      const answer = await (this.#options.invoke === undefined ? invocation() : this.#options.invoke(name, invocation));
      this.ledger.answered(name, answer);
      return answer;
    } catch (error) {
      this.ledger.failed(name, error);
      throw error;
    }
  }

  #context(name: string): FcContext {
    this.#invocations += 1;
    return { requestId: `local-${name}-${this.#invocations}`, function: { name }, region: 'local' };
  }

  /** The nightly timer: sweep every policy's source region and start what is missing. */
  async sweep(): Promise<unknown> {
    return this.#invoke('start-copy', () => this.#handlers.startCopy(timerEvent('nightly-sweep', this.#options.clock.now()), this.#context('start-copy')));
  }

  /** What EventBridge delivers when somebody calls CreateImage (or CopyImage/ImportImage). */
  async imageCreated(region: string, imageId: string, eventName: 'CreateImage' | 'CopyImage' | 'ImportImage' = 'CreateImage'): Promise<unknown> {
    return this.#invoke('start-copy', () =>
      this.#handlers.startCopy(actionTrailEvent(eventName, region, imageId, this.#options.clock.now()), this.#context('start-copy')),
    );
  }

  /**
   * One invocation of a function with a raw FC event, as FC would hand it over (`invoke`): the
   * answer as the handler gives it; a failure throws, as it would fail the invocation on FC.
   */
  async invokeRaw(name: FunctionName, event: Buffer): Promise<unknown> {
    const handlers: Record<FunctionName, FcHandler> = {
      [FunctionName.StartCopy]: this.#handlers.startCopy,
      [FunctionName.PollStatus]: this.#handlers.pollStatus,
      [FunctionName.Notify]: this.#handlers.notify,
    };
    const handler = handlers[name];
    return this.#invoke(name, () => handler(event, this.#context(name)));
  }

  async poll(): Promise<unknown> {
    this.#lastPoll = this.#options.clock.now();
    const at = this.#lastPoll;
    return this.#invoke('poll-status', () => this.#handlers.pollStatus(timerEvent('poll-status', at), this.#context('poll-status')));
  }

  /**
   * Delivers visible messages to their function as FC's queue trigger would: a batch of
   * CloudEvents with base64 bodies. Success acknowledges the batch; a throw puts it back with a
   * back-off, and a message received too often goes to the dead-letter queue.
   */
  async #drain(queue: SqliteMessageQueue, handler: FcHandler, name: string): Promise<number> {
    const messages = await queue.receive(LOCAL_BATCH_SIZE, LOCAL_VISIBILITY_SECONDS);
    if (messages.length === 0) return 0;
    if (name === 'start-copy') for (const message of messages) this.ledger.sawStartCopyBody(message.messageId, message.body);
    try {
      await this.#invoke(name, () => handler(mnsQueueEvent(name, messages, this.#options.clock.now()), this.#context(name)));
      await Promise.all(messages.map((message) => queue.ack(message.receiptHandle)));
    } catch (error) {
      this.#options.logger.warn('invocation failed, the batch will be redelivered', { function: name, code: errorCode(error), error: errorMessage(error) });
      await Promise.all(messages.map((message) => queue.retryLater(message.receiptHandle, redeliverySeconds(message.dequeueCount))));
    }
    return messages.length;
  }

  /** One turn of the loop: deliver queued messages, and poll when the timer is due. */
  async step(): Promise<void> {
    // A look first: what it finds (a finished copy) goes on to start-copy and notify in this turn.
    while ((await this.#drain(this.pollQueue, this.#handlers.pollStatus, 'poll-status')) > 0);
    while ((await this.#drain(this.startCopyQueue, this.#handlers.startCopy, 'start-copy')) > 0);
    while ((await this.#drain(this.notifyQueue, this.#handlers.notify, 'notify')) > 0);
    const interval = this.#options.pollIntervalSeconds ?? LOCAL_POLL_INTERVAL_SECONDS;
    if (this.#lastPoll === undefined || secondsBetween(this.#lastPoll, this.#options.clock.now()) >= interval) {
      // A failed poll is what a failed timer invocation is on FC: logged, and the next tick tries again.
      await this.poll().catch((error: unknown) => {
        this.#options.logger.warn('poll-status failed, the next tick polls again', { code: errorCode(error), error: errorMessage(error) });
      });
    }
  }

  /**
   * The next instant something is due: the poll timer's next tick, or a queued message becoming
   * visible (a delayed look, a back-off ending). A loop in virtual time advances its clock to this
   * instead of a fixed tick, and sees what a deployment would see, when it would see it.
   */
  async nextWakeAt(): Promise<Date> {
    const interval = this.#options.pollIntervalSeconds ?? LOCAL_POLL_INTERVAL_SECONDS;
    const now = this.#options.clock.now();
    const tick = this.#lastPoll === undefined ? now : new Date(this.#lastPoll.getTime() + interval * 1000);
    const visible = await Promise.all([this.startCopyQueue.nextVisibleAt(), this.notifyQueue.nextVisibleAt(), this.pollQueue.nextVisibleAt()]);
    const times = [tick, ...visible.filter((at): at is Date => at !== undefined)].map((at) => Math.max(at.getTime(), now.getTime()));
    return new Date(Math.min(...times));
  }

  async snapshot(): Promise<RuntimeSnapshot> {
    const [inFlight, start, notify, dead] = await Promise.all([
      this.jobs.listInFlight(),
      this.startCopyQueue.stats(),
      this.notifyQueue.stats(),
      this.deadLetters.stats(),
    ]);
    const pending = (s: typeof start) => s.visible + s.inFlight + s.delayed;
    return {
      inFlightJobs: inFlight.length,
      queued: { startCopy: pending(start), notify: pending(notify) },
      deadLetters: dead.visible + dead.delayed + dead.inFlight,
    };
  }

  /**
   * Idle: no job needs work and no message waits. Stops on the signal (Ctrl-C) too; the table keeps
   * state for the next run. Stalled: `maxConsecutiveFailures` invocations failed in a row, or no job
   * is in flight and all that is left is a failed delivery waiting for its back-off; waiting longer
   * would only fail again against the same target, and the queue keeps the work for the next run.
   */
  async runUntilIdle(
    options: { signal?: AbortSignal; onStep?: () => Promise<void> | void; tickMs?: number; maxConsecutiveFailures?: number } = {},
  ): Promise<RunOutcome> {
    for (;;) {
      if (options.signal?.aborted) return 'stopped';
      await this.step();
      await options.onStep?.();
      const snapshot = await this.snapshot();
      if (snapshot.inFlightJobs === 0 && snapshot.queued.startCopy === 0 && snapshot.queued.notify === 0) return 'idle';
      if (options.maxConsecutiveFailures !== undefined && this.ledger.consecutiveFailures > 0) {
        if (this.ledger.consecutiveFailures >= options.maxConsecutiveFailures) return 'stalled';
        if (snapshot.inFlightJobs === 0 && !(await this.#anyVisible())) return 'stalled';
      }
      await sleep(options.tickMs ?? LOCAL_TICK_MS);
    }
  }

  async #anyVisible(): Promise<boolean> {
    const [start, notify] = await Promise.all([this.startCopyQueue.stats(), this.notifyQueue.stats()]);
    return start.visible + start.inFlight + notify.visible + notify.inFlight > 0;
  }

  close(): void {
    this.db.close();
  }
}
