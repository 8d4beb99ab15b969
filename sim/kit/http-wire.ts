import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultKind } from '../faults';

/**
 * Wire helpers any simulator needs and sim/http-server.ts keeps to itself: a request body read
 * with a bound, a JSON answer, and the two "the action ran but the caller never hears" faults.
 */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`request body larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export const readBoundedBody = async (req: IncomingMessage, maxBytes: number): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > maxBytes) throw new BodyTooLargeError(maxBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
};

/** A JSON answer, or an empty one (204) when there is no body. */
export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
};

/**
 * After the action ran: a lost answer resets the connection, a missing one is held until the
 * simulator closes. True when the answer must not be sent.
 */
export const withholdAnswer = (
  fault: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  held: Set<ServerResponse>,
): boolean => {
  if (fault === FaultKind.LostAnswer) {
    req.socket.destroy();
    return true;
  }
  if (fault === FaultKind.NoAnswer) {
    held.add(res);
    res.on('close', () => held.delete(res));
    return true;
  }
  return false;
};
