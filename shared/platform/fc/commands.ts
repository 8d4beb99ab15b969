import { InvalidInputError } from '../../core/domain/errors';
import { DEFAULT_ACCOUNT, ProviderId } from '../../core/domain/provider';
import { StartCopyMessage, upgradeStartCopyMessage } from '../../core/messages/messages';
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
      // ActionTrail speaks for the account the function runs in, on Alibaba Cloud.
      return {
        kind: 'image-created',
        origin: `event:${input.eventId}`,
        provider: ProviderId.Alibaba,
        account: DEFAULT_ACCOUNT,
        region: input.region,
        imageId: input.imageId,
      };
    case 'ignored-event':
      return undefined;
    case 'invalid':
      throw new InvalidInputError(input.reason);
    case 'queue-message': {
      const message = upgradeStartCopyMessage(parseMessage(StartCopyMessage, input.body, input.messageId));
      return message.type === 'dispatch.requested'
        ? { kind: 'dispatch', reason: message.reason, scopes: message.scopes }
        : { kind: 'replicate', origin: message.origin, ...message.source, policy: message.policy };
    }
  }
};
