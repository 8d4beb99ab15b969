import { ConfigError, TerminalError } from '../../core/domain/errors';
import { REGION_ID_PATTERN } from './regions';

export const DEFAULT_ENDPOINT_TEMPLATE = 'https://ims.{region}.myhuaweicloud.com';
/** ECS, asked only which servers run from an image (retention keeps an image in use). */
export const DEFAULT_ECS_ENDPOINT_TEMPLATE = 'https://ecs.{region}.myhuaweicloud.com';
/** Auto Scaling, asked only which configurations launch an image (retention keeps it then). */
export const DEFAULT_AS_ENDPOINT_TEMPLATE = 'https://as.{region}.myhuaweicloud.com';
const PLACEHOLDER = '{region}';

/** Where one region's IMS answers: an origin and the path prefix every API path goes under. */
export interface RegionEndpoint {
  /** `https://ims.cn-north-4.myhuaweicloud.com` or `http://127.0.0.1:8124`. */
  readonly origin: string;
  /** `''`, or `/cn-north-4` in the one-server override form. No trailing slash. */
  readonly basePath: string;
  /** host[:port] as the Host header carries it (and as it is signed). */
  readonly host: string;
}

export interface EndpointResolver {
  readonly template: string;
  forRegion(region: string): RegionEndpoint;
}

const parse = (template: string, region: string): URL => {
  try {
    return new URL(template.replace(PLACEHOLDER, region));
  } catch (error) {
    throw new ConfigError(`the Huawei endpoint template "${template}" is not a URL`, { cause: error });
  }
};

/**
 * Validates a template such as `https://ims.{region}.myhuaweicloud.com` or
 * `http://127.0.0.1:8124/{region}` (one local server for every region, the region as the first
 * path segment) and resolves regions with it. A region is put into a URL only when it matches the
 * region-id pattern: anything else is refused before a request exists.
 */
export const endpointResolver = (template: string = DEFAULT_ENDPOINT_TEMPLATE): EndpointResolver => {
  const occurrences = template.split(PLACEHOLDER).length - 1;
  if (occurrences !== 1) throw new ConfigError(`the Huawei endpoint template must contain {region} exactly once, got "${template}"`);
  const probe = parse(template, 'cn-north-4');
  if (probe.protocol !== 'https:' && probe.protocol !== 'http:') {
    throw new ConfigError(`the Huawei endpoint template must be http(s), got "${template}"`);
  }
  if (probe.username !== '' || probe.password !== '' || probe.search !== '' || probe.hash !== '') {
    throw new ConfigError(`the Huawei endpoint template must have no user, query or fragment, got "${template}"`);
  }
  return {
    template,
    forRegion(region: string): RegionEndpoint {
      if (!REGION_ID_PATTERN.test(region)) {
        // The value may be hostile: say what was wrong without echoing it whole.
        throw new TerminalError('HuaweiInvalidRegion', `${JSON.stringify(region.slice(0, 40))} is not a Huawei region id (like cn-north-4); no request was made`);
      }
      const url = parse(template, region);
      return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, ''), host: url.host };
    },
  };
};
