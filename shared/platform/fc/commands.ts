import { InvalidInputError } from '../../core/domain/errors';
import { StartCopyMessage } from '../../core/messages/messages';
import type { StartCopyCommand } from '../../core/use-cases/commands';
import { parseMessage, type StartCopyInput } from './events';

/**
 * Turns one decoded FC input into the command start-copy runs. Answers undefined for an event that
 * asks for nothing (a failed or unrelated API call); throws InvalidInputError for input that is wrong.
 */
export const toStartCopyCommand = (input: StartCopyInput): StartCopyCommand | undefined => {
  switch (input.kind) {
    case 'sweep':
      return { kind: 'sweep' };
    case 'image-event':
      return { kind: 'image-created', origin: `event:${input.eventId}`, region: input.region, imageId: input.imageId };
    case 'ignored-event':
      return undefined;
    case 'invalid':
      throw new InvalidInputError(input.reason);
    case 'queue-message': {
      const message = parseMessage(StartCopyMessage, input.body, input.messageId);
      return message.type === 'dispatch.requested'
        ? { kind: 'dispatch', reason: message.reason, regions: message.regions }
        : { kind: 'replicate', origin: message.origin, region: message.source.region, imageId: message.source.imageId, policy: message.policy };
    }
  }
};
