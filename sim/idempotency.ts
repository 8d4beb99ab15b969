import type { Params } from './params';
import { optional } from './params';
import { SimApiError } from './sim-errors';
import type { SimState } from './state';

const MAX_CLIENT_TOKEN_LENGTH = 64;

const fingerprint = (params: Params): string =>
  JSON.stringify(
    Object.entries(params)
      .filter(([key]) => key !== 'ClientToken')
      .sort(([a], [b]) => a.localeCompare(b)),
  );

/** The request's ClientToken, checked: at most 64 printable ASCII characters. */
export const clientToken = (params: Params): string | undefined => {
  const token = optional(params, 'ClientToken');
  if (token !== undefined && (token.length > MAX_CLIENT_TOKEN_LENGTH || !/^[\x20-\x7e]+$/.test(token))) {
    throw new SimApiError(400, 'InvalidClientToken.Malformed', 'The ClientToken must be at most 64 ASCII characters.');
  }
  return token;
};

/**
 * Same token, same parameters: the id the first call answered. Same token, other parameters:
 * refused. Tokens are per action, as the API scopes them.
 */
export const replayedResource = (state: SimState, action: string, params: Params): string | undefined => {
  const token = clientToken(params);
  if (token === undefined) return undefined;
  const previous = state.clientTokens.get(`${action}\n${token}`);
  if (previous === undefined) return undefined;
  if (previous.fingerprint !== fingerprint(params)) {
    throw new SimApiError(400, 'IdempotentParameterMismatch', 'The specified parameters are different from before for the same ClientToken.');
  }
  return previous.resourceId;
};

export const rememberToken = (state: SimState, action: string, params: Params, resourceId: string): void => {
  const token = clientToken(params);
  if (token !== undefined) state.clientTokens.set(`${action}\n${token}`, { fingerprint: fingerprint(params), resourceId });
};
