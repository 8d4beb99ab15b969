export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

export type WebhookResponse =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly status?: number | undefined; readonly error: string };

/** Posts one request; never throws for HTTP or network failures, it answers them. */
export interface WebhookTransport {
  post(request: WebhookRequest): Promise<WebhookResponse>;
}
