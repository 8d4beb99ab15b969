import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';

/** The status page comes as its own module; until it is wired in, the command says so. */
export const registerServe = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  program
    .command('serve')
    .description('(not yet) serve the status page')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      ctx.io.err('serve: not yet — the status page is not part of this build; `image-replicator status --watch` shows the jobs meanwhile\n');
      done(ExitCode.Failed);
    });
};
