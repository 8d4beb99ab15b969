import type { WebhookRequest, WebhookResponse, WebhookTransport } from '../../core/ports/webhook-transport';

/** Errors from fetch quote the URL; a user:password in it must not travel on into logs. */
const withoutUserinfo = (text: string): string => text.replace(/\/\/[^/\s@]*@/g, '//[redacted]@');

/** Node's built-in fetch; redirects are not followed (a signed body must reach the URL configured). */
export const fetchWebhookTransport: WebhookTransport = {
  async post(request: WebhookRequest): Promise<WebhookResponse> {
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      const text = (await response.text().catch(() => '')).slice(0, 200);
      return response.ok ? { ok: true, status: response.status } : { ok: false, status: response.status, error: text || response.statusText };
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const detail = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
      return { ok: false, error: name === 'TimeoutError' ? `timed out after ${request.timeoutMs} ms` : withoutUserinfo(detail) };
    }
  },
};
