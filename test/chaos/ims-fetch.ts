import type { CrashHarness } from './crash-harness';

/** Ids in IMS paths: project ids (32 hex), image ids (UUIDs), job ids (32 hex or longer). */
const ID_SEGMENT = /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{24,})$/i;

/** `POST /v1/cloudimages/{id}/cross_region_copy`: the route, the same whichever image, job or region. */
export const imsRoute = (method: string, url: string): string => {
  // The simulator's one-server form puts the region first: /cn-north-4/v2/cloudimages.
  const segments = new URL(url).pathname.split('/').filter((segment) => segment !== '');
  const api = segments.slice(Math.max(0, segments.findIndex((segment) => /^v\d$/.test(segment))));
  return `${method} /${api.map((segment) => (ID_SEGMENT.test(decodeURIComponent(segment)) ? '{id}' : segment)).join('/')}`;
};

/**
 * The Huawei client's fetch with every request as a crash point: a `GET` before it is sent, a
 * `POST` or `DELETE` before and after (IMS acted; the answer is lost). That puts points between
 * the look and the submit of a copy, which the provider's one `startCopy` call hides.
 */
export const imsFetch = (crash: CrashHarness): typeof fetch => {
  return (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return crash.around(`huawei.http ${imsRoute(method, url)}`, method !== 'GET', () => fetch(input, init));
  };
};
