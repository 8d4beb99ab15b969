import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedAnswer {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string | undefined;
}

export interface ScriptedServer {
  /** The endpoint template for a client pointed at it. */
  readonly endpointTemplate: string;
  /** Requests seen, as method and path. */
  readonly seen: string[];
  close(): Promise<void>;
}

/**
 * A local server that answers whatever the test scripts, whatever was asked (no signature check):
 * for documented bodies and hostile ones, through the real client over real HTTP.
 */
export const startScriptedServer = async (answer: (request: IncomingMessage) => ScriptedAnswer): Promise<ScriptedServer> => {
  const seen: string[] = [];
  const server: Server = createServer((request, response) => {
    seen.push(`${request.method ?? ''} ${request.url ?? ''}`);
    request.resume();
    request.on('end', () => {
      const { status, body, contentType } = answer(request);
      response.writeHead(status, { 'content-type': contentType ?? 'application/json', 'x-request-id': 'req-scripted' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpointTemplate: `http://127.0.0.1:${port}/{region}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
