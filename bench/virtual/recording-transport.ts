import type { Clock } from '../../shared/core/domain/clock';
import type { WebhookRequest, WebhookResponse, WebhookTransport } from '../../shared/core/ports/webhook-transport';

/** One webhook receipt: which job, which copy, and the virtual instant it arrived. */
export interface Delivery {
  readonly jobId: string;
  readonly destinationImageId: string | null;
  readonly type: string;
  readonly atMs: number;
}

/**
 * A webhook receiver that answers at once and notes the virtual clock at receipt. Nothing goes on
 * the network: what the bench wants from notify is when a receiver would have heard, in the same
 * time the simulator finishes copies in.
 */
export class RecordingTransport implements WebhookTransport {
  readonly deliveries: Delivery[] = [];

  constructor(private readonly clock: Clock) {}

  async post(request: WebhookRequest): Promise<WebhookResponse> {
    const body = JSON.parse(request.body) as { jobId: string; type: string; destination: { imageId: string | null } };
    this.deliveries.push({ jobId: body.jobId, destinationImageId: body.destination.imageId, type: body.type, atMs: this.clock.now().getTime() });
    return { ok: true, status: 204 };
  }
}
