import { readFileSync } from 'node:fs';
import { createJsonLogger } from '../../shared/platform/logging/json-logger';
import { guardedWebhookTransport } from '../../shared/platform/http/webhook-transport';
import { parsePolicyConfig, resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import type { PolicyConfig } from '../../shared/core/config/policy-config';
import { PROVIDER_RULES } from '../../shared/providers/catalog';
import { ConfigError, errorCode, errorMessage } from '../../shared/core/domain/errors';
import type { Job } from '../../shared/core/domain/job';
import type { WebhookTransport } from '../../shared/core/ports/webhook-transport';
import { LocalRuntime } from '../../runtime/local-runtime';
import { ProgressView, summaryTable } from '../render';
import type { Target } from '../target';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly tty: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export const loadPolicyFile = (path: string): PolicyConfig => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the policy file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
  return parsePolicyConfig(text, path, PROVIDER_RULES);
};

export interface RunOptions {
  readonly config: PolicyConfig;
  readonly stateDir: string;
  readonly target: Target;
  readonly json: boolean;
  readonly sweep: boolean;
  /** Extra values never to print (webhook secrets are added from the environment). */
  readonly secrets?: readonly string[];
  readonly transport?: WebhookTransport;
  readonly signal?: AbortSignal;
  /** Called after every step with the jobs as stored, for the demo's own reporting. */
  readonly onJobs?: (jobs: readonly Job[]) => void;
  readonly beforeLoop?: (runtime: LocalRuntime) => Promise<void>;
}

export interface RunResult {
  readonly outcome: 'idle' | 'stopped';
  readonly jobs: readonly Job[];
  readonly deadLetters: number;
}

/**
 * Drives the three handlers through the local runtime until no job needs work: a sweep first (what
 * the nightly timer does), then queue deliveries and poll-status on its timer. Logs go to stderr
 * as JSON lines; stdout carries progress (or, with --json, one JSON object per job change).
 */
export const runReplication = async (io: Io, options: RunOptions): Promise<RunResult> => {
  const secrets = resolveWebhookSecrets(options.config, io.env);
  const logger = createJsonLogger({
    level: (io.env.IMAGE_REPLICATOR_LOG_LEVEL as 'debug' | 'info' | 'warn' | 'error' | undefined) ?? 'warn',
    sink: (line) => io.err(`${line}\n`),
    secrets: [...secrets.values(), ...options.target.secrets, ...(options.secrets ?? [])],
    clock: () => options.target.clock.now(),
  });
  const runtime = new LocalRuntime({
    stateDir: options.stateDir,
    config: options.config,
    secrets,
    providers: options.target.providers,
    transport: options.transport ?? guardedWebhookTransport,
    clock: options.target.clock,
    logger,
  });
  try {
    const view = new ProgressView(io.out, io.tty && !options.json);
    const lastJson = new Map<string, string>();
    const report = async () => {
      const jobs = await runtime.jobs.list();
      options.onJobs?.(jobs);
      if (!options.json) return view.render(jobs);
      for (const job of jobs) {
        const line = JSON.stringify({ jobId: job.id, policy: job.policy, source: job.source.imageId, destination: job.destination.region, status: job.status, progress: job.progressPercent ?? null, destinationImageId: job.destinationImageId ?? null, notification: job.notification.status, error: job.lastError ?? null });
        if (lastJson.get(job.id) !== line) io.out(`${line}\n`);
        lastJson.set(job.id, line);
      }
    };
    // A sweep that fails (a region throttling us) is what a failed timer run is on FC: logged; the
    // work it did create goes on, and the next run sweeps again.
    if (options.sweep) {
      await runtime.sweep().catch((error: unknown) => {
        logger.error('the sweep failed; going on with what it found', { code: errorCode(error), error: errorMessage(error) });
        io.err(`sweep failed: ${errorMessage(error)}\n`);
      });
    }
    await options.beforeLoop?.(runtime);
    const outcome = await runtime.runUntilIdle({ signal: options.signal, onStep: report });
    await report();
    const snapshot = await runtime.snapshot();
    return { outcome, jobs: await runtime.jobs.list(), deadLetters: snapshot.deadLetters };
  } finally {
    runtime.close();
  }
};

export const printSummary = (io: Io, result: RunResult): void => {
  io.out(`\n${summaryTable(result.jobs)}\n`);
  if (result.deadLetters > 0) io.out(`\n${result.deadLetters} message(s) set aside on the dead-letter queue: image-replicator dead-letters\n`);
};
