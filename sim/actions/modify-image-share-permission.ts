import { SimImageStatus, type SimImage } from '../model';
import { type Params, booleanParam, indexedValues, required } from '../params';
import { SimApiError, imageNotFound, invalidParameter, regionNotFound } from '../sim-errors';
import type { SimState } from '../state';
import type { ActionHandler } from './action';

/** Per call, per list: the API processes the first 10 accounts and silently ignores the rest. */
export const MAX_ACCOUNTS_PER_CALL = 10;
/** Accounts one image can be shared with (a ticket raises it on a real account). */
export const MAX_ACCOUNTS_PER_IMAGE = 50;

const firstAccounts = (params: Params, prefix: string): string[] => [
  ...new Set(indexedValues(params, prefix).slice(0, MAX_ACCOUNTS_PER_CALL).map((entry) => entry.value)),
];

const checkShareable = (image: SimImage): void => {
  if (image.ownerAlias !== 'self') throw new SimApiError(403, 'OperationDenied', 'Only your own custom images can be shared.');
  if (image.status === SimImageStatus.Deprecated) throw new SimApiError(403, 'OperationDenied', 'Deprecated images cannot be shared.');
  if (image.status !== SimImageStatus.Available) throw new SimApiError(403, 'IncorrectImageStatus', 'The image is not Available and cannot be shared.');
  // Only a customer master key can be granted to another account; a service key cannot.
  if (image.encrypted && image.kmsKeyId === undefined) {
    throw new SimApiError(403, 'OperationDeined.EncryptedSnapshot', 'Images encrypted with a service key cannot be shared; copy the image encrypted with a CMK first.');
  }
};

const checkAccount = (state: SimState, account: string): void => {
  if (account === state.accounts.accountId) throw new SimApiError(403, 'InvalidAccount.Forbbiden', 'An image cannot be shared with its own account.');
  const known = state.accounts.otherAccounts;
  if (!/^\d{1,20}$/.test(account) || (known !== undefined && !known.includes(account))) {
    throw new SimApiError(404, 'InvalidAccount.NotFound', `The specified account "${account}" does not exist.`);
  }
};

/**
 * AddAccount.N / RemoveAccount.N on one of your own Available images. The whole call is refused
 * when the image would end up shared with more than 50 accounts; removals apply before additions.
 */
export const modifyImageSharePermission: ActionHandler = ({ state, params }) => {
  const region = required(params, 'RegionId');
  const imageId = required(params, 'ImageId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  if (booleanParam(params, 'IsPublic') === true) throw invalidParameter('IsPublic', 'publishing community images is not simulated');
  const image = state.findImage(region, imageId);
  if (!image) throw imageNotFound();
  const adding = firstAccounts(params, 'AddAccount');
  const removing = new Set(firstAccounts(params, 'RemoveAccount'));
  if (adding.length > 0) checkShareable(image);
  for (const account of adding) checkAccount(state, account);

  const kept = image.sharedWith.filter((share) => !removing.has(share.accountId));
  const fresh = adding.filter((account) => !kept.some((share) => share.accountId === account));
  if (kept.length + fresh.length > MAX_ACCOUNTS_PER_IMAGE) {
    throw new SimApiError(403, 'QuotaExceed.ShareImageUser', `An image can be shared with at most ${MAX_ACCOUNTS_PER_IMAGE} accounts.`);
  }
  const now = state.nowMs();
  image.sharedWith = [...kept, ...fresh.map((accountId) => ({ accountId, sharedAt: now }))];
  return {};
};
