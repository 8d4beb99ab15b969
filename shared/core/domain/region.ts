import * as z from '../zod';

/**
 * A region id as every provider spells them (`cn-hangzhou`, `ap-southeast-1`, `cn-north-4`,
 * `cn-shanghai-finance-1`). A region is put into endpoint host names and URL paths, so nothing
 * else may pass for one: no dots, slashes, colons, `@` or upper case, and a bounded length.
 */
export const REGION_ID_PATTERN = /^[a-z]{2,12}(?:-[a-z0-9]{1,16}){1,4}$/;
export const MAX_REGION_ID_LENGTH = 48;

export const isRegionId = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= MAX_REGION_ID_LENGTH && REGION_ID_PATTERN.test(value);

export const RegionId = z.string().check(z.maxLength(MAX_REGION_ID_LENGTH), z.regex(REGION_ID_PATTERN, 'expected a region id such as cn-hangzhou'));

/** Somebody else's text on one line that shows what it says: bounded, and its controls, format and separator characters (which reorder or break a line) replaced. */
export const printableShort = (text: string, max: number): string => {
  const printable = text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '?');
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
};

/** For error messages: a value that is not a region id is quoted short, never whole. */
export const quoteShort = (value: unknown, max = 64): string =>
  JSON.stringify(printableShort(typeof value === 'string' ? value : JSON.stringify(value) ?? String(value), max));
