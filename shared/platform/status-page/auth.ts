import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from '../../core/zod';

/**
 * The status page shows account, image and copy ids, so it is never anonymous: a request carries
 * the status token as a bearer token (scripts, curl) or as the password of HTTP basic
 * authentication, which every browser asks for by itself (any user name). Tokens are compared
 * through their hashes in constant time.
 */
export const StatusToken = z
  .string()
  .check(
    z.minLength(24, 'the status token must be at least 24 characters (openssl rand -hex 24)'),
    z.maxLength(256),
    z.regex(/^[\x21-\x7e]+$/, 'the status token must be printable ASCII without spaces'),
  );

export const AUTH_CHALLENGE = 'Basic realm="image-replicator status", charset="UTF-8"';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The presented token, from `Authorization: Bearer …` or `Authorization: Basic base64(user:token)`. */
export const presentedToken = (authorization: string | undefined): string | undefined => {
  if (authorization === undefined || authorization.length > 2048) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer?.[1] !== undefined) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(authorization);
  if (basic?.[1] === undefined) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
};

export type AuthVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: 'missing' | 'wrong' };

/** `expected` undefined means the page is open (a local server bound to loopback). */
export const checkAuthorization = (expected: string | undefined, authorization: string | undefined): AuthVerdict => {
  if (expected === undefined) return { ok: true };
  const presented = presentedToken(authorization);
  if (presented === undefined) return { ok: false, reason: 'missing' };
  return timingSafeEqual(digest(presented), digest(expected)) ? { ok: true } : { ok: false, reason: 'wrong' };
};
