import { resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import type { PolicyConfig } from '../../shared/core/config/policy-config';
import { errorMessage } from '../../shared/core/domain/errors';
import type { Job } from '../../shared/core/domain/job';
import type { WebhookTransport } from '../../shared/core/ports/webhook-transport';
import { guardedWebhookTransport } from '../../shared/platform/http/webhook-transport';
import { LocalRuntime, type RunOutcome } from '../../runtime/local-runtime';
import type { Io } from '../io';
import { oneLine } from '../errors';
import { jobView } from '../job-view';
import { CORRUPT_ROW_MESSAGE, watchCorruptRows } from '../local/corrupt-rows';
import { describeLoggedError, type LoggedError, watchErrors } from '../local/error-watch';
import { createRunLogger } from '../local/run-logger';
import type { ProgressSink } from '../render/live-view';
import type { Target } from '../target';
import type { RunFacts } from './verdict';

/** Failed invocations in a row after which a run stops: the target refuses, and waiting will not change that. */
export const MAX_CONSECUTIVE_FAILURES = 3;

export interface RunOptions {
  readonly config: PolicyConfig;
  readonly stateDir: string;
  readonly target: Target;
  /** One JSON object per job change on stdout instead of progress. */
  readonly json: boolean;
  readonly sweep: boolean;
  readonly verbose?: boolean | undefined;
  readonly sink: ProgressSink;
  /** Extra values never to print (webhook secrets are added from the environment). */
  readonly secrets?: readonly string[];
  readonly transport?: WebhookTransport;
  readonly signal?: AbortSignal;
  readonly stopCode?: () => number;
  /** Runs after the sweep, before the loop: the demo's ActionTrail event. */
  readonly beforeLoop?: (runtime: LocalRuntime) => Promise<void>;
}

export interface RunReport {
  readonly facts: RunFacts;
  readonly jobs: readonly Job[];
  readonly logFile: string;
}

/**
 * Drives the three handlers through the local runtime until no job needs work: unreadable job
 * rows set aside first, a sweep (what the nightly timer does), then queue deliveries and
 * poll-status on its timer. What the run did is gathered for the verdict.
 */
export const runReplication = async (io: Io, options: RunOptions): Promise<RunReport> => {
  const secrets = resolveWebhookSecrets(options.config, io.env);
  const allSecrets = [...secrets.values(), ...options.target.secrets, ...(options.secrets ?? [])];
  const { logger, file } = createRunLogger({
    stateDir: options.stateDir,
    env: io.env,
    secrets: allSecrets,
    clock: options.target.clock,
    verbose: options.verbose ?? false,
    json: options.json,
    // On a terminal log lines scroll above the live region; elsewhere they go to stderr, apart from the progress on stdout.
    show: options.json || !io.tty ? (line) => io.err(`${line}\n`) : (line) => options.sink.message(line),
  });
  const corrupt = new Map<string, string>();
  const errors: LoggedError[] = [];
  const runtime = new LocalRuntime({
    stateDir: options.stateDir,
    config: options.config,
    secrets,
    providers: options.target.providers,
    transport: options.transport ?? guardedWebhookTransport,
    clock: options.target.clock,
    logger: watchErrors(watchCorruptRows(logger, corrupt), errors),
  });
  const started = options.target.clock.now().toISOString();
  try {
    // Rows nobody can read are moved out of the way first, so that the sweep can start them afresh.
    await runtime.jobs.list();
    const setAside: string[] = [];
    for (const [id, reason] of corrupt) {
      await runtime.jobs.setAside(id, reason);
      setAside.push(id);
      options.sink.message(`set aside the unreadable job row ${id}; \`image-replicator status --set-aside\` shows it`);
    }
    corrupt.clear();
    const movedBefore = await movedByQueues(runtime);

    const lastJson = new Map<string, string>();
    const report = async () => {
      const jobs = await runtime.jobs.list();
      if (!options.json) return options.sink.jobs(jobs);
      for (const job of jobs) {
        const line = JSON.stringify(jobView(job));
        if (lastJson.get(job.id) !== line) io.out(`${line}\n`);
        lastJson.set(job.id, line);
      }
    };

    let sweepError: string | undefined;
    if (options.sweep) {
      const lettersBefore = runtime.ledger.letters.length;
      const errorsBefore = errors.length;
      await runtime.sweep().catch((error: unknown) => {
        sweepError = oneLine(error, allSecrets);
        logger.error('the sweep failed; going on with what it found', { error: errorMessage(error) });
      });
      // A sweep that failed for good was set aside like any input: it failed all the same.
      const letter = runtime.ledger.letters.length > lettersBefore ? runtime.ledger.letters.pop() : undefined;
      if (letter !== undefined) sweepError ??= oneLine(new Error(`${letter.code}: ${letter.reason}`), allSecrets);
      // A region the sweep could not read for good (refused keys, a region the account lacks) is only logged.
      const skipped = errors.slice(errorsBefore).find((entry) => entry.message !== CORRUPT_ROW_MESSAGE);
      if (skipped !== undefined) sweepError ??= oneLine(new Error(describeLoggedError(skipped)), allSecrets);
    }
    await options.beforeLoop?.(runtime);
    const outcome: RunOutcome = await runtime.runUntilIdle({ signal: options.signal, onStep: report, maxConsecutiveFailures: MAX_CONSECUTIVE_FAILURES });
    await report();
    options.sink.done();
    const jobs = await runtime.jobs.list();
    return {
      jobs,
      logFile: file,
      facts: {
        outcome,
        stopCode: options.stopCode?.() ?? 130,
        sweepError,
        letters: runtime.ledger.letters,
        movedByQueues: (await movedByQueues(runtime)) - movedBefore,
        lastFailure: runtime.ledger.lastFailure,
        consecutiveFailures: runtime.ledger.consecutiveFailures,
        touched: jobs.filter((job) => job.updatedAt >= started),
        requests: runtime.ledger.requests,
        allJobs: jobs,
        setAside,
      },
    };
  } finally {
    runtime.close();
  }
};

/** Messages the start-copy and notify queues have moved to the dead-letter queue, still there. */
const movedByQueues = async (runtime: LocalRuntime): Promise<number> => {
  const [start, notify] = await Promise.all([runtime.startCopyQueue.stats(), runtime.notifyQueue.stats()]);
  return start.deadLettered + notify.deadLettered;
};

