import { type Params, integerParam, optional } from './params';
import { SimApiError, invalidParameter } from './sim-errors';

export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 10;

export interface Page {
  readonly number: number;
  readonly size: number;
}

/** `PageNumber` (from 1) and `PageSize` (1–100, default 10). */
export const pageParams = (params: Params): Page => {
  const number = integerParam(params, 'PageNumber', 1);
  const size = integerParam(params, 'PageSize', DEFAULT_PAGE_SIZE);
  if (number < 1) throw new SimApiError(400, 'InvalidPageNumber.Malformed', 'PageNumber must be at least 1.');
  if (size < 1 || size > MAX_PAGE_SIZE) {
    throw new SimApiError(400, 'InvalidPageSize.Malformed', `PageSize must be between 1 and ${MAX_PAGE_SIZE}.`);
  }
  return { number, size };
};

export const pageOf = <T>(items: readonly T[], page: Page): T[] => items.slice((page.number - 1) * page.size, page.number * page.size);

const encodeToken = (offset: number): string => Buffer.from(`offset:${offset}`).toString('base64url');

const decodeToken = (token: string): number => {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw invalidParameter('NextToken', 'the token was not issued by a previous call');
  return Number(match[1]);
};

/**
 * Lists that page either way: `NextToken`/`MaxResults` (the recommended form) or the older
 * `PageNumber`/`PageSize`. With tokens the API says TotalCount is not valid, so it is the size of
 * this page only: a caller that sums pages by TotalCount visibly goes wrong.
 */
export const pagedAnswer = <T>(params: Params, items: readonly T[]): { readonly slice: T[]; readonly fields: Record<string, unknown> } => {
  const token = optional(params, 'NextToken');
  const maxResults = optional(params, 'MaxResults');
  if (token === undefined && maxResults === undefined) {
    const page = pageParams(params);
    return { slice: pageOf(items, page), fields: { PageNumber: page.number, PageSize: page.size, TotalCount: items.length } };
  }
  const size = integerParam(params, 'MaxResults', DEFAULT_PAGE_SIZE);
  if (size < 1 || size > MAX_PAGE_SIZE) throw invalidParameter('MaxResults', `expected 1 to ${MAX_PAGE_SIZE}`);
  const offset = token === undefined ? 0 : decodeToken(token);
  const slice = items.slice(offset, offset + size);
  const next = offset + size < items.length ? encodeToken(offset + size) : '';
  return { slice, fields: { NextToken: next, TotalCount: slice.length } };
};
