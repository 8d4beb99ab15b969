export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  /** Loopback receivers are refused unless the webhook opted in (local testing only). */
  readonly allowLoopback?: boolean | undefined;
}

/**
 * The few answer headers a sender acts on, lower-case names, values short and printable. Only
 * these are passed on: the rest of a receiver's headers is nobody's business downstream.
 */
export interface WebhookAnswerHeaders {
  /** How long a rate-limited receiver wants us to wait (seconds, or an HTTP date). */
  readonly 'retry-after'?: string | undefined;
}

/**
 * `body` and `error` are the receiver's answer, already printable: `error` short enough for the
 * job record and logs, `body` bounded but long enough for a chat platform's JSON answer to parse.
 */
export type WebhookResponse =
  | { readonly ok: true; readonly status: number; readonly body?: string | undefined; readonly headers?: WebhookAnswerHeaders | undefined }
  | {
      readonly ok: false;
      readonly status?: number | undefined;
      readonly error: string;
      readonly body?: string | undefined;
      readonly headers?: WebhookAnswerHeaders | undefined;
    };

/** Posts one request; never throws for HTTP or network failures, it answers them. */
export interface WebhookTransport {
  post(request: WebhookRequest): Promise<WebhookResponse>;
}
