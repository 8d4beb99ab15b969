import { InvalidInputError } from '../../shared/core/domain/errors';
import { LookKind } from '../../shared/core/domain/look-schedule';
import { PollMessage } from '../../shared/core/messages/messages';
import { createPollStatus, type PollCommand } from '../../shared/core/use-cases/poll-status';
import type { FcHandler } from '../../shared/platform/fc/context';
import type { Wiring } from '../../shared/platform/fc/dependencies';
import { makeHandler } from '../../shared/platform/fc/edge';
import { decodeStartCopyEvent, parseMessage, type StartCopyInput } from '../../shared/platform/fc/events';

/** A timer tick is a full poll; a message on the poll queue is a look at the copies due. */
const toPollCommand = (input: StartCopyInput): PollCommand => {
  switch (input.kind) {
    case 'sweep':
      return { kind: LookKind.Tick };
    case 'queue-message':
      return { kind: LookKind.Look, until: new Date(parseMessage(PollMessage, input.body, input.messageId).until) };
    case 'invalid':
      throw new InvalidInputError(input.reason);
    default:
      throw new InvalidInputError(`poll-status takes its timer and its queue, not ${input.kind}`);
  }
};

/** The latest window end among the delivery's looks; one that cannot be read is left to fail on its own. */
const widestWindow = (inputs: readonly StartCopyInput[]): Date | undefined => {
  let widest: Date | undefined;
  for (const input of inputs) {
    if (input.kind !== 'queue-message') continue;
    try {
      const until = new Date(parseMessage(PollMessage, input.body, input.messageId).until);
      if (widest === undefined || until > widest) widest = until;
    } catch {
      // Its own run sets it aside, naming what is wrong.
    }
  }
  return widest;
};

/** poll-status: its timer, and the delayed looks it schedules for itself. */
export const makePollStatusHandler = (wiring: Wiring): FcHandler =>
  makeHandler<StartCopyInput, unknown>(wiring, {
    functionName: 'poll-status',
    decode: (event) => decodeStartCopyEvent(event),
    describe: (input) =>
      input.kind === 'queue-message' ? { raw: input.body, messageId: input.messageId } : input.kind === 'invalid' ? { raw: input.raw } : { raw: input.kind === 'sweep' ? 'timer tick' : input.kind },
    prepare: (deps, _logger, deadline, inputs) => {
      const poll = createPollStatus({ ...deps, deadline, limitCap: deps.config.maxConcurrentCopiesPerRegion });
      // Looks delivered together (duplicates, a batch) are one look: a second pass would find
      // nothing due and schedule the same next look again, forking the chain of looks. It looks
      // over the widest of their windows: a stale message first in the batch would otherwise end
      // the chain, and copies due later in the window would wait for the tick.
      const until = widestWindow(inputs);
      let looked: Promise<unknown> | undefined;
      return (input) => {
        const command = toPollCommand(input);
        if (command.kind === LookKind.Tick) return poll(command);
        looked ??= poll({ kind: LookKind.Look, until: until ?? command.until });
        return looked;
      };
    },
  });
