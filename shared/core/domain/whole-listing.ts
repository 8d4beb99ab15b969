import { TerminalError } from './errors';

export interface ListingPage<T> {
  readonly items: readonly T[];
  /** What the provider says the whole listing holds. */
  readonly total: number;
}

export interface WholeListing<T> {
  /** Asked items a page. */
  readonly pageSize: number;
  readonly maxPages: number;
  /** What is listed, for messages ("scaling configurations in cn-shanghai"). */
  readonly what: string;
  /** One page: the first is index 1, at offset 0. */
  read(page: { readonly index: number; readonly offset: number }): Promise<ListingPage<T>>;
}

/**
 * Every item of a listing a deletion depends on ("does anything name this image?"), where a
 * missed item would delete something in use. Read until a page comes back short: a count too low
 * never ends it early, a count too high is not believed either. A listing that ends short of
 * its own count (items gone between pages, a page the provider capped) or runs past `maxPages`
 * is an error, so nothing is judged on part of it.
 */
export const readWholeListing = async <T>(listing: WholeListing<T>): Promise<T[]> => {
  const items: T[] = [];
  for (let index = 1; index <= listing.maxPages; index += 1) {
    const page = await listing.read({ index, offset: items.length });
    items.push(...page.items);
    if (page.items.length >= listing.pageSize) continue;
    if (items.length < page.total) {
      throw new TerminalError('ListingIncomplete', `the ${listing.what} ended after ${items.length} of the ${page.total} counted; nothing is judged on part of them`);
    }
    return items;
  }
  throw new TerminalError('ListingTooLong', `more than ${listing.maxPages * listing.pageSize} ${listing.what}; nothing is judged on part of them`);
};
