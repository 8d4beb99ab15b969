import type { Command } from 'commander';
import { exitCodesHelp } from './exit-codes';

/**
 * Every command's --help ends with examples to copy and the exit codes scripts can rely on; a
 * command with codes of its own (plan's 3) lists them in place.
 */
export const withExamples = (command: Command, examples: readonly string[], exitCodes: Readonly<Record<number, string>> = {}): Command =>
  command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n\n${exitCodesHelp(exitCodes)}\n`);
