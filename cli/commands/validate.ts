import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';
import { withExamples } from '../help';
import { policyPathOf } from '../paths';
import { checkPolicyText, missingSecrets } from '../policy/check';
import { readPolicyText } from '../policy/load';
import { checkRegionsOnline } from '../policy/online';
import { selectTarget } from '../target';

interface ValidateFlags {
  readonly config?: string;
  readonly skipSecrets: boolean;
  readonly online: boolean;
}

export const registerValidate = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = program
    .command('validate')
    .description('check a policy file: every problem with its path (exit 2), webhook secrets, and with --online the regions')
    .option('-c, --config <file>', 'policy file (default: the packaged examples/policy.yaml)')
    .option('--skip-secrets', 'do not check that the webhook secrets are in the environment', false)
    .option('--online', 'also ask the providers whether the regions exist for this account', false);
  withExamples(command, [
    'image-replicator validate --config my-policy.yaml',
    'image-replicator validate --config my-policy.yaml --skip-secrets     # on a machine without the secrets',
    'IMAGE_REPLICATOR_ECS_ENDPOINT=http://127.0.0.1:8123 image-replicator validate --online',
  ]).action(async (flags: ValidateFlags) => {
    const { io } = ctx;
    const path = policyPathOf(io.cwd, flags.config);
    const check = checkPolicyText(readPolicyText(path), path);
    if (check.config === undefined) {
      io.err(`${path} is not a valid policy file:\n${check.problems.join('\n')}\n`);
      if (check.partial) io.err('(the providers\' rules are checked once these are fixed: validate again)\n');
      return done(ExitCode.Usage);
    }
    const config = check.config;
    const missing = flags.skipSecrets ? [] : missingSecrets(config, io.env);
    if (missing.length > 0) {
      io.err(`${path}: webhook secrets missing (set these variables, or --skip-secrets):\n${missing.join('\n')}\n`);
      return done(ExitCode.Usage);
    }
    if (flags.online) {
      const target = await selectTarget(io.env, config, {});
      try {
        const online = await checkRegionsOnline(config, target);
        if (online.problems.length > 0) {
          io.err(`${path}: regions the providers do not offer:\n${online.problems.join('\n')}\n`);
          return done(ExitCode.Usage);
        }
        if (online.unanswered.length > 0) {
          io.err(`${path}: could not check online:\n${online.unanswered.join('\n')}\n`);
          return done(ExitCode.Failed);
        }
        io.out(`regions checked on ${target.description}\n`);
      } finally {
        await target.close();
      }
    }
    const destinations = config.policies.reduce((n, p) => n + p.destinations.length, 0);
    io.out(`${path}: ${config.policies.length} polic${config.policies.length === 1 ? 'y' : 'ies'}, ${destinations} destinations: valid\n`);
    done(ExitCode.Ok);
  });
};
