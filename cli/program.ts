import { Command, CommanderError } from 'commander';
import type { CommandContext } from './command-context';
import { describeFailure, exitCodeOf } from './errors';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes';
import { registerCancel } from './commands/cancel';
import { registerDeadLetters } from './commands/dead-letters';
import { registerDemo } from './commands/demo';
import { registerHistory } from './commands/history';
import { registerInit } from './commands/init';
import { registerInvoke } from './commands/invoke';
import { registerPlan } from './commands/plan';
import { registerPrune } from './commands/prune';
import { registerReplicate } from './commands/replicate';
import { registerRetry } from './commands/retry';
import { registerRun } from './commands/run';
import { registerServe } from './commands/serve';
import { registerSim } from './commands/sim';
import { registerStatus } from './commands/status';
import { registerValidate } from './commands/validate';
import { packageVersion } from './version';

const ENVIRONMENT_HELP = `Environment:
  IMAGE_REPLICATOR_STATE_DIR            local state folder (default ./.image-replicator)
  IMAGE_REPLICATOR_ECS_ENDPOINT         talk to this ECS endpoint (e.g. \`image-replicator sim\`); Auto Scaling too
  IMAGE_REPLICATOR_ESS_ENDPOINT         ask this Auto Scaling endpoint instead (retention), e.g. a private one
  IMAGE_REPLICATOR_HUAWEI_IMS_ENDPOINT  talk to this IMS endpoint template, with {region}
  IMAGE_REPLICATOR_HUAWEI_ECS_ENDPOINT  ask this ECS endpoint template (retention); the IMS one when unset
  IMAGE_REPLICATOR_HUAWEI_AS_ENDPOINT   ask this Auto Scaling endpoint template (retention); the IMS one when unset
  ALIBABA_CLOUD_ACCESS_KEY_ID, ...      real Alibaba Cloud (the standard credential chain)
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK real Huawei Cloud
  IMAGE_REPLICATOR_LOG_LEVEL            debug | info | warn | error for the lines shown (the log file keeps info)
  IMAGE_REPLICATOR_STATUS_TOKEN         the status page's token for \`serve\` (--token-env names another variable)
  --cloud: the functions' variables (IMAGE_REPLICATOR_OTS_INSTANCE, ..._TABLE, ..._QUEUE, see \`status --help\`)`;

/** Codes commander uses for help and version: asked for, so not an error. */
const ASKED_FOR = new Set(['commander.helpDisplayed', 'commander.version']);

/**
 * The command line, declared with commander: subcommands, per-command help with examples, typo
 * suggestions, and one exit code policy (see EXIT_CODES_HELP).
 */
export const buildProgram = (ctx: CommandContext, done: (code: number) => void): Command => {
  const { io } = ctx;
  const program = new Command('image-replicator')
    .description('Replicates golden custom images across regions on Alibaba Cloud ECS and Huawei Cloud IMS.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err, getOutHelpWidth: () => io.columns ?? 100, getErrHelpWidth: () => io.columns ?? 100 })
    .addHelpText('after', `\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}\n`);
  registerDemo(program, ctx, done);
  registerRun(program, ctx, done);
  registerPlan(program, ctx, done);
  registerReplicate(program, ctx, done);
  registerStatus(program, ctx, done);
  registerHistory(program, ctx, done);
  registerCancel(program, ctx, done);
  registerRetry(program, ctx, done);
  registerPrune(program, ctx, done);
  registerDeadLetters(program, ctx, done);
  registerInvoke(program, ctx, done);
  registerValidate(program, ctx, done);
  registerInit(program, ctx, done);
  registerSim(program, ctx, done);
  registerServe(program, ctx, done);
  return program;
};

/**
 * Runs one command line and answers its exit code; never throws and never exits the process, so
 * tests run it in-process. Errors become one line on stderr: the code and the first line of the
 * message, a configuration error with its list of problems.
 */
export const runCli = async (argv: readonly string[], ctx: CommandContext): Promise<number> => {
  let code: number = ExitCode.Ok;
  const program = buildProgram(ctx, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (ASKED_FOR.has(error.code)) return ExitCode.Ok;
      // No command at all: help went to stderr already; unknown command or option, bad value: commander said which.
      return ExitCode.Usage;
    }
    ctx.io.err(`${describeFailure(error)}\n`);
    return exitCodeOf(error);
  }
};
