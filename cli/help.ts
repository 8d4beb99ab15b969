import type { Command } from 'commander';
import { EXIT_CODES_HELP } from './exit-codes';

/** Every command's --help ends with examples to copy and the exit codes scripts can rely on. */
export const withExamples = (command: Command, examples: readonly string[]): Command =>
  command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n\n${EXIT_CODES_HELP}\n`);
