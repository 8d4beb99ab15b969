export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  /** Loopback receivers are refused unless the webhook opted in (local testing only). */
  readonly allowLoopback?: boolean | undefined;
}

/** `body` and `error` are the receiver's answer, already short and printable. */
export type WebhookResponse =
  | { readonly ok: true; readonly status: number; readonly body?: string | undefined }
  | { readonly ok: false; readonly status?: number | undefined; readonly error: string; readonly body?: string | undefined };

/** Posts one request; never throws for HTTP or network failures, it answers them. */
export interface WebhookTransport {
  post(request: WebhookRequest): Promise<WebhookResponse>;
}
