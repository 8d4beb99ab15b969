import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One HTTP answer, or a misbehaviour of the connection itself. */
export type ScriptedAnswer =
  | { readonly kind: 'answer'; readonly status: number; readonly contentType: string; readonly body: string }
  | { readonly kind: 'silence' }
  | { readonly kind: 'reset' };

export interface ScriptedEcsServer {
  /** `127.0.0.1:<port>`, the form the SDK's endpoint takes. */
  readonly endpoint: string;
  /** Answers page 1 (and any non-paged action); later DescribeImages pages get `laterPages`. */
  script(first: ScriptedAnswer, laterPages: ScriptedAnswer): void;
  readonly requests: () => number;
  close(): Promise<void>;
}

/**
 * An ECS endpoint on 127.0.0.1 that answers what the test says, to the real SDK client. It does
 * not check signatures: these tests are about what the adapter does with the answer.
 */
export const startScriptedEcsServer = async (): Promise<ScriptedEcsServer> => {
  let first: ScriptedAnswer = { kind: 'answer', status: 200, contentType: 'application/json', body: '{}' };
  let later: ScriptedAnswer = first;
  let count = 0;
  const held = new Set<ServerResponse>();
  const respond = (request: IncomingMessage, response: ServerResponse): void => {
    count += 1;
    const page = new URL(request.url ?? '/', 'http://local').searchParams.get('PageNumber');
    const answer = page === null || page === '1' ? first : later;
    if (answer.kind === 'silence') {
      held.add(response);
      return;
    }
    if (answer.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    response.writeHead(answer.status, answer.contentType === '' ? {} : { 'content-type': answer.contentType });
    response.end(answer.body);
  };
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => respond(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `127.0.0.1:${port}`,
    script: (answer, laterPages) => {
      first = answer;
      later = laterPages;
    },
    requests: () => count,
    close: async () => {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
