import { readFileSync } from 'node:fs';
import { Argument, type Command } from 'commander';
import { resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import { decodeQueueEvent, decodeStartCopyEvent, TimerEvent } from '../../shared/platform/fc/events';
import { guardedWebhookTransport } from '../../shared/platform/http/webhook-transport';
import { FunctionName, LocalRuntime } from '../../runtime/local-runtime';
import type { CommandContext } from '../command-context';
import { CliFailure, oneLine, usageFailure } from '../errors';
import { ExitCode } from '../exit-codes';
import { withExamples } from '../help';
import { createRunLogger } from '../local/run-logger';
import { policyPathOf, stateDirOf, userPath } from '../paths';
import { loadPolicyFile } from '../policy/load';
import { selectTarget } from '../target';

interface InvokeFlags {
  readonly event: string;
  readonly config?: string;
  readonly stateDir?: string;
}

const EVENT_KINDS: Record<string, string> = {
  [FunctionName.StartCopy]: 'a timer payload, an ActionTrail CloudEvent (EventBridge), or an MNS queue trigger batch',
  [FunctionName.PollStatus]: 'a timer payload',
  [FunctionName.Notify]: 'an MNS queue trigger batch',
};

/** Why a file is not an event the function takes, or undefined when it is one: decoded as FC's decoders decode it. */
export const eventProblem = (fn: string, text: string): string | undefined => {
  if (fn === FunctionName.PollStatus) {
    try {
      return TimerEvent.safeParse(JSON.parse(text)).success ? undefined : 'not a timer payload (triggerTime, triggerName)';
    } catch {
      return 'the event is not JSON';
    }
  }
  const inputs = fn === FunctionName.Notify ? decodeQueueEvent(text) : decodeStartCopyEvent(text);
  if (inputs.length === 0) return 'an empty batch';
  const invalid = inputs.filter((input) => input.kind === 'invalid');
  return invalid.length === inputs.length ? (invalid[0]?.reason ?? 'not an event') : undefined;
};

export const registerInvoke = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = program
    .command('invoke')
    .description('run one function once, locally, with a raw FC event from a file (as FC would hand it over)')
    .addArgument(new Argument('<function>', 'the function').choices(Object.values(FunctionName)))
    .requiredOption('--event <file>', 'the event: a timer payload, an ActionTrail CloudEvent or an MNS trigger batch (JSON)')
    .option('-c, --config <file>', 'policy file (default: the packaged examples/policy.yaml)')
    .option('--state-dir <dir>', 'local state folder (default: $IMAGE_REPLICATOR_STATE_DIR or ./.image-replicator)');
  withExamples(command, [
    'image-replicator invoke start-copy --event test/fixtures/alibaba/actiontrail-create-image.json',
    'image-replicator invoke poll-status --event timer.json',
    'image-replicator invoke notify --event mns-batch.json',
  ]).action(async (fn: string, flags: InvokeFlags) => {
    const { io } = ctx;
    const eventPath = userPath(io.cwd, flags.event);
    let text: string;
    try {
      text = readFileSync(eventPath, 'utf8');
    } catch (error) {
      throw usageFailure(`cannot read the event ${eventPath}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    const problem = eventProblem(fn, text);
    if (problem !== undefined) throw usageFailure(`${eventPath} is not an FC event for ${fn} (${EVENT_KINDS[fn] ?? 'an event'}): ${problem}`);

    const config = loadPolicyFile(policyPathOf(io.cwd, flags.config));
    const stateDir = stateDirOf(io.cwd, io.env, flags.stateDir);
    const target = await selectTarget(io.env, config, { stateDir });
    try {
      const secrets = resolveWebhookSecrets(config, io.env);
      const allSecrets = [...secrets.values(), ...target.secrets];
      const { logger, file } = createRunLogger({ stateDir, env: io.env, secrets: allSecrets, clock: target.clock, verbose: true, json: false, show: (line) => io.err(`${line}\n`) });
      const runtime = new LocalRuntime({ stateDir, config, secrets, providers: target.providers, transport: guardedWebhookTransport, clock: target.clock, logger });
      try {
        const answer = await runtime.invokeRaw(fn as FunctionName, Buffer.from(text)).catch((error: unknown) => {
          throw new CliFailure(`${fn} failed: ${oneLine(error, allSecrets)} (details: ${file})`);
        });
        io.out(`${JSON.stringify({ function: fn, answer }, null, 2)}\n`);
        const letter = runtime.ledger.letters.at(-1);
        if (letter !== undefined) {
          io.err(`${runtime.ledger.letters.length} input(s) set aside on the dead-letter queue: ${letter.code}: ${letter.reason.split('\n')[0] ?? ''}\n`);
          return done(ExitCode.Failed);
        }
        done(ExitCode.Ok);
      } finally {
        runtime.close();
      }
    } finally {
      await target.close();
    }
  });
};
