import ipaddr from 'ipaddr.js';

/**
 * Where a notification may be sent. A webhook URL comes from a policy file, and its host name can
 * resolve anywhere: without this check a policy could make the function post (and its error answer
 * be stored) to the metadata service (100.100.100.200 on Alibaba Cloud, 169.254.169.254), the VPC's
 * private hosts or the function's own loopback. Only public unicast addresses are allowed;
 * loopback only when the webhook opts in for local testing. The same rule is applied when the
 * policy is validated (an address written in the URL, in any of its decimal or hex forms, which the
 * URL parser normalises) and when the connection is made (every address the name resolves to).
 */

export type AddressVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

const RANGE_NAMES: Readonly<Record<string, string>> = {
  private: 'a private address',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address (the instance metadata service lives there)',
  carrierGradeNat: 'a shared (CGNAT) address (Alibaba Cloud\'s metadata service, 100.100.100.200, is one)',
  uniqueLocal: 'a private (unique local) address',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
};

/** Classifies one IP address (v4, v6, or v4-mapped v6). */
export const checkAddress = (address: string, options: { readonly allowLoopback: boolean }): AddressVerdict => {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into the IPv4 address it is.
    parsed = ipaddr.process(address.replace(/^\[|\]$/g, ''));
  } catch {
    return { allowed: false, reason: 'not an IP address' };
  }
  const range = parsed.range();
  if (range === 'unicast') return { allowed: true };
  if (range === 'loopback' && options.allowLoopback) return { allowed: true };
  return { allowed: false, reason: `${address} is ${RANGE_NAMES[range] ?? `in the ${range} range`}` };
};

const isIpLiteral = (hostname: string): boolean => ipaddr.isValid(hostname.replace(/^\[|\]$/g, ''));

/** Host names that always mean this machine. */
const isLocalName = (hostname: string): boolean => hostname === 'localhost' || hostname.endsWith('.localhost');

/** Checks the host written in a URL; a name that is not an address is checked when it is resolved. */
export const checkUrlHost = (url: URL, options: { readonly allowLoopback: boolean }): AddressVerdict => {
  const hostname = url.hostname.toLowerCase();
  if (isLocalName(hostname)) {
    return options.allowLoopback ? { allowed: true } : { allowed: false, reason: `${hostname} is this machine (loopback)` };
  }
  return isIpLiteral(hostname) ? checkAddress(hostname, options) : { allowed: true };
};

/** Is the URL's host this machine (a loopback address in any spelling, or localhost)? */
export const isLoopbackHost = (url: URL): boolean => {
  const hostname = url.hostname.toLowerCase();
  if (isLocalName(hostname)) return true;
  if (!isIpLiteral(hostname)) return false;
  return ipaddr.process(hostname.replace(/^\[|\]$/g, '')).range() === 'loopback';
};
