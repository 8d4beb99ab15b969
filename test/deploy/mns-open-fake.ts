/**
 * The two calls of the MNS OpenAPI (2022-01-19, RPC style) that `setup:cloud` makes for dead-letter
 * policies, on 127.0.0.1, verifying the SDK's ACS3-HMAC-SHA256 signature with the simulator's
 * verifier. Dead-letter policies are kept per queue, as the service would.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { SimCredentialSet } from '../../sim/model';
import { SignatureVerifier } from '../../sim/signature';

const DlqPolicy = z.object({ Enabled: z.boolean(), DeadLetterTargetQueue: z.string().min(1), MaxReceiveCount: z.number().int().min(1) }).strict();
export type DlqPolicy = z.infer<typeof DlqPolicy>;

export interface OpenApiCall {
  readonly action: string;
  readonly version: string;
  readonly query: Readonly<Record<string, string>>;
}

export class MnsOpenFake {
  readonly policies = new Map<string, DlqPolicy>();
  readonly calls: OpenApiCall[] = [];
  readonly #server: Server;
  readonly #verifier: SignatureVerifier;

  constructor(credentials: SimCredentialSet) {
    this.#verifier = new SignatureVerifier([credentials]);
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => response.destroy(error instanceof Error ? error : new Error(String(error))));
    });
  }

  async start(): Promise<{ host: string }> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return { host: `127.0.0.1:${(this.#server.address() as AddressInfo).port}` };
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    try {
      this.#verifier.verifyAcs3({ method: request.method ?? 'GET', pathname: url.pathname, query, headers: request.headers, body: Buffer.concat(chunks) });
    } catch (error) {
      reply(400, { Code: (error as { code?: string }).code ?? 'SignatureDoesNotMatch', Message: 'signature refused', RequestId: 'fake' });
      return;
    }
    const action = String(request.headers['x-acs-action'] ?? '');
    this.calls.push({ action, version: String(request.headers['x-acs-version'] ?? ''), query });
    const queueName = query.QueueName ?? '';
    if (action === 'GetQueueAttributes') {
      const policy = this.policies.get(queueName);
      reply(200, { RequestId: 'fake', Code: 200, Success: true, Data: { QueueName: queueName, ...(policy ? { DlqPolicy: policy } : {}) } });
      return;
    }
    if (action === 'SetQueueAttributes') {
      const parsed = DlqPolicy.safeParse(JSON.parse(query.DlqPolicy ?? 'null'));
      if (!parsed.success) {
        reply(400, { Code: 'InvalidParameter', Message: 'DlqPolicy is malformed', RequestId: 'fake' });
        return;
      }
      this.policies.set(queueName, parsed.data);
      reply(200, { RequestId: 'fake', Code: 200, Success: true, Data: true });
      return;
    }
    reply(400, { Code: 'InvalidAction.NotFound', Message: `no ${action}`, RequestId: 'fake' });
  }
}
