import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from '../../core/domain/clock';
import { ConfigError, errorMessage } from '../../core/domain/errors';
import type { JobStore } from '../../core/ports/job-store';
import type { Logger } from '../../core/ports/logger';
import { silentLogger } from '../logging/json-logger';
import { StatusToken } from './auth';
import { createStatusHandler, type StatusRequest } from './routes';

/**
 * The status page on this machine (`image-replicator serve`): node:http over the same handler
 * the FC function uses. Without a token it listens on loopback only; anywhere else it needs one.
 */
export interface StatusServerOptions {
  /** Read only: list and get. The local runtime's SqliteJobStore, or any JobStore. */
  readonly jobs: Pick<JobStore, 'list' | 'get'>;
  /** 0 (the default) picks a free port; the answer says which. */
  readonly port?: number | undefined;
  /** Default 127.0.0.1. */
  readonly host?: string | undefined;
  /** Required unless `host` is a loopback address (at least 24 characters). */
  readonly token?: string | undefined;
  /** Shown beside what runs per region (PolicyConfig.maxConcurrentCopiesPerRegion). */
  readonly maxConcurrentCopiesPerRegion?: number | undefined;
  /** The workflow's clock (a simulator's when the run is simulated); default the system clock. */
  readonly clock?: Clock | undefined;
  /** Seconds between the page's reloads; 0 for none. Default 15. */
  readonly refreshSeconds?: number | undefined;
  /** Where the page is mounted ('' by default; basePathOf(config.statusPage?.baseUrl) behind a proxy). */
  readonly basePath?: string | undefined;
  readonly logger?: Logger | undefined;
}

export interface StatusServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

const requestOf = (incoming: IncomingMessage): StatusRequest => {
  // Only the path and query of the request line matter; the host header never builds a URL here.
  const target = new URL(incoming.url ?? '/', 'http://status.invalid');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(incoming.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return { method: incoming.method ?? 'GET', path: target.pathname, query: target.searchParams, headers };
};

export const startStatusServer = async (options: StatusServerOptions): Promise<StatusServer> => {
  const host = options.host ?? '127.0.0.1';
  if (options.token === undefined && !LOOPBACK_HOSTS.has(host)) {
    throw new ConfigError(`the status page on ${host} needs a token: anyone who can reach it would see the account's images`);
  }
  const token = options.token === undefined ? undefined : StatusToken.parse(options.token);
  const logger = options.logger ?? silentLogger;
  const handle = createStatusHandler({
    jobs: options.jobs,
    clock: options.clock ?? systemClock,
    token,
    maxConcurrentCopiesPerRegion: options.maxConcurrentCopiesPerRegion,
    refreshSeconds: options.refreshSeconds,
    basePath: options.basePath,
    logger,
  });

  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    // The page reads nothing from a body; whatever is sent is drained and ignored.
    incoming.resume();
    handle(requestOf(incoming))
      .then((response) => {
        outgoing.writeHead(response.status, response.headers);
        outgoing.end(incoming.method === 'HEAD' ? undefined : response.body);
      })
      .catch((error: unknown) => {
        logger.error('status page request failed', { error: errorMessage(error) });
        if (!outgoing.headersSent) outgoing.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        outgoing.end('internal error\n');
      });
  });
  // Slow or idle clients must not hold sockets open.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
};
