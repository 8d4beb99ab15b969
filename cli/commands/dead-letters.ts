import type { Command } from 'commander';
import { type BackendFlags, openBackend, withBackendOptions } from '../backend-options';
import type { CommandContext } from '../command-context';
import type { DeadLetterAction, DeadLetterEntry } from '../dead-letters/entry';
import { CliFailure, usageFailure } from '../errors';
import { ExitCode } from '../exit-codes';
import { withExamples } from '../help';
import { table } from '../render/table';

interface ListFlags extends BackendFlags {
  readonly json: boolean;
}
interface ActFlags extends BackendFlags {
  readonly all: boolean;
}

const short = (text: string, max: number): string => {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

const listText = (entries: readonly DeadLetterEntry[]): string =>
  entries.length === 0
    ? 'no dead letters\n'
    : `${table(
        ['id', 'function', 'code', 'set aside at', 'receives', 'reason', 'input'],
        entries.map(({ id, letter }) => [id, letter.function, letter.code, letter.at, letter.receives === undefined ? '' : String(letter.receives), short(letter.reason, 60), short(letter.raw, 40)]),
      )}\n`;

const act = (ctx: CommandContext, done: (code: number) => void, verb: DeadLetterAction) => async (id: string | undefined, flags: ActFlags) => {
  if ((id === undefined) === !flags.all) throw usageFailure(`dead-letters ${verb} takes an ID or --all (one of them)`);
  const opened = await openBackend(ctx.io, flags);
  try {
    const { backend } = opened;
    const outcomes = await backend.deadLetters.take((entry) => id === undefined || entry.id === id, verb);
    if (id !== undefined && outcomes.length === 0) {
      throw new CliFailure(`no dead letter ${id} in ${backend.where}${backend.kind === 'cloud' ? ' (a letter just looked at stays hidden for a second: try again)' : ''}`);
    }
    if (outcomes.length === 0) ctx.io.out('no dead letters\n');
    for (const outcome of outcomes) {
      if (!outcome.done) ctx.io.err(`not ${verb === 'drop' ? 'dropped' : 'redriven'}: ${outcome.id}: ${outcome.reason}\n`);
      else ctx.io.out(verb === 'drop' ? `dropped ${outcome.id}\n` : `redrove ${outcome.id} to ${outcome.to ?? '?'}\n`);
    }
    done(outcomes.every((o) => o.done) ? ExitCode.Ok : ExitCode.Failed);
  } finally {
    await opened.close();
  }
};

export const registerDeadLetters = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const group = program
    .command('dead-letters')
    .description('inputs set aside by the functions, and messages the queues gave up on: list, redrive, drop');
  withExamples(group, ['image-replicator dead-letters', 'image-replicator dead-letters redrive 1c9e…', 'image-replicator dead-letters drop --all --cloud']);

  const list = withBackendOptions(group.command('list', { isDefault: true }).description('every dead letter, in one shape (the default)').option('--json', 'DeadLetterV1 objects, with their id', false));
  withExamples(list, ['image-replicator dead-letters list --json | jq ".[].letter.code"']).action(async (flags: ListFlags) => {
    const opened = await openBackend(ctx.io, flags);
    try {
      const entries = await opened.backend.deadLetters.list();
      ctx.io.out(flags.json ? `${JSON.stringify(entries, null, 2)}\n` : listText(entries));
      done(ExitCode.Ok);
    } finally {
      await opened.close();
    }
  });

  const redrive = withBackendOptions(
    group
      .command('redrive')
      .description("put a message back on its function's queue (an event is replayed with `invoke` instead)")
      .argument('[id]', 'the dead letter (see `dead-letters`)')
      .option('--all', 'every dead letter that can be redriven', false),
  );
  withExamples(redrive, ['image-replicator dead-letters redrive 1c9e… && image-replicator run --no-sweep']).action(act(ctx, done, 'redrive'));

  const drop = withBackendOptions(
    group.command('drop').description('delete a dead letter for good').argument('[id]', 'the dead letter (see `dead-letters`)').option('--all', 'every dead letter', false),
  );
  withExamples(drop, ['image-replicator dead-letters drop 1c9e…']).action(act(ctx, done, 'drop'));
};
