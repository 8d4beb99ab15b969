import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * MNS request signing, written from the protocol description rather than from the SDK, so that the
 * fake checks the SDK instead of agreeing with it by construction:
 * base64(HMAC-SHA1(secret, VERB \n Content-MD5 \n Content-Type \n Date \n sorted "x-mns-k:v\n" + resource)),
 * where the resource is the path and the raw query exactly as sent.
 */
export const stringToSign = (method: string, headers: IncomingHttpHeaders, resource: string): string => {
  const header = (name: string): string => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(',') : (value ?? '');
  };
  const mnsHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-mns-'))
    .sort()
    .map((name) => `${name}:${header(name)}\n`)
    .join('');
  return `${method}\n${header('content-md5')}\n${header('content-type')}\n${header('date')}\n${mnsHeaders}${resource}`;
};

export const sign = (secret: string, text: string): string => createHmac('sha1', secret).update(text, 'utf8').digest('base64');

export const signaturesMatch = (expected: string, given: string): boolean => {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** MNS's Content-MD5 is base64 of the *hex* digest, not of the raw digest. */
export const contentMd5 = (body: Buffer): string => Buffer.from(createHash('md5').update(body).digest('hex'), 'utf8').toString('base64');

/** `MNS <AccessKeyId>:<signature>` */
export const parseAuthorization = (value: string | undefined): { accessKeyId: string; signature: string } | undefined => {
  const match = /^MNS ([^:\s]+):(\S+)$/.exec(value ?? '');
  return match?.[1] && match[2] ? { accessKeyId: match[1], signature: match[2] } : undefined;
};
