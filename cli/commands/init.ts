import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { CliFailure } from '../errors';
import { ExitCode } from '../exit-codes';
import { withExamples } from '../help';
import { userPath } from '../paths';
import { STARTER_POLICY } from '../policy/starter';

export const registerInit = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = program
    .command('init')
    .description('write a commented starter policy file; an existing file is never overwritten')
    .argument('[file]', 'where to write it', 'policy.yaml');
  withExamples(command, ['image-replicator init && image-replicator validate --config policy.yaml', 'image-replicator init config/replication.yaml']).action(
    async (file: string) => {
      const path = userPath(ctx.io.cwd, file);
      try {
        // 'wx': created only if absent, in one step, so a file that appears meanwhile is not lost either.
        writeFileSync(path, STARTER_POLICY, { flag: 'wx' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new CliFailure(`${path} exists; not overwritten (choose another file, or remove it first)`);
        throw new CliFailure(`cannot write ${path}: ${code ?? 'error'}`);
      }
      ctx.io.out(`wrote ${path}; edit it, then: image-replicator validate --config ${file}\n`);
      done(ExitCode.Ok);
    },
  );
};
