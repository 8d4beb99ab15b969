import { describe, expect, it } from 'vitest';
import { type ListingPage, readWholeListing } from '../../shared/core/domain/whole-listing';

/** A listing of `items` served `served` at a time, claiming `claimed` in all; records the pages asked. */
const listing = (items: readonly number[], options: { pageSize?: number; served?: number; claimed?: number; maxPages?: number } = {}) => {
  const asked: { index: number; offset: number }[] = [];
  const pageSize = options.pageSize ?? 3;
  const served = options.served ?? pageSize;
  return {
    asked,
    read: () =>
      readWholeListing({
        pageSize,
        maxPages: options.maxPages ?? 10,
        what: 'things in cn-shanghai',
        read: async (page): Promise<ListingPage<number>> => {
          asked.push(page);
          await Promise.resolve();
          return { items: items.slice(page.offset, page.offset + served), total: options.claimed ?? items.length };
        },
      }),
  };
};

describe('reading a whole listing a deletion depends on', () => {
  it('reads page after page until one comes back short, giving each its index and offset', async () => {
    // Prepare
    const things = listing([1, 2, 3, 4, 5, 6, 7]);

    // Act
    const items = await things.read();

    // Assess
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(things.asked).toEqual([
      { index: 1, offset: 0 },
      { index: 2, offset: 3 },
      { index: 3, offset: 6 },
    ]);
  });

  it('goes on past a count too low while pages come back full', async () => {
    // Prepare: the provider claims 3, but the second page is full too
    const things = listing([1, 2, 3, 4, 5, 6, 7], { claimed: 3 });

    // Act
    const items = await things.read();

    // Assess
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('asks once more after an exactly full last page, and ends on the empty one', async () => {
    // Prepare
    const things = listing([1, 2, 3, 4, 5, 6]);

    // Act
    const items = await things.read();

    // Assess
    expect(items).toHaveLength(6);
    expect(things.asked).toHaveLength(3);
  });

  it('refuses a listing that ends short of its own count (a page the provider capped, items gone between pages)', async () => {
    // Prepare: pages of 2 served where 3 were asked, 7 claimed
    const things = listing([1, 2, 3, 4, 5, 6, 7], { served: 2 });

    // Act
    const outcome = await things.read().catch((error: unknown) => error);

    // Assess
    expect(outcome).toMatchObject({ code: 'ListingIncomplete', retryable: false, message: 'the things in cn-shanghai ended after 2 of the 7 counted; nothing is judged on part of them' });
  });

  it('refuses a listing longer than its pages allow, rather than judging part of it', async () => {
    // Prepare
    const things = listing(Array.from({ length: 30 }, (_, i) => i), { maxPages: 4 });

    // Act
    const outcome = await things.read().catch((error: unknown) => error);

    // Assess
    expect(outcome).toMatchObject({ code: 'ListingTooLong', message: 'more than 12 things in cn-shanghai; nothing is judged on part of them' });
    expect(things.asked).toHaveLength(4);
  });
});
