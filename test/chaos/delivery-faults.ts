import { RetryableError } from '../../shared/core/domain/errors';
import type { Dependencies } from '../../shared/platform/fc/dependencies';
import type { MessageQueue } from '../../shared/core/ports/message-queue';
import type { WebhookTransport } from '../../shared/core/ports/webhook-transport';
import type { Prng } from '../../sim/prng';

export interface DeliveryFaultSettings {
  /** Every queued message is delivered 1 + (1 or 2) times: MNS delivers at least once. */
  readonly duplicateMessages: boolean;
  /** Extra copies (and the original, sometimes) are delayed by up to this many seconds: out of order. */
  readonly maxDelaySeconds: number;
  /** Probability a webhook post fails: half refused before reaching the receiver, half answered 503 after it. */
  readonly webhookFailure: number;
  /** Dead-letter sends that fail before the queue recovers: a number, or every one for the whole run. */
  readonly deadLetterFailures?: number | 'always' | undefined;
}

export const NO_DELIVERY_FAULTS: DeliveryFaultSettings = { duplicateMessages: false, maxDelaySeconds: 0, webhookFailure: 0 };

/** What the wrappers did, for the report. */
export interface DeliveryFaultCounts {
  duplicateDeliveries: number;
  webhookRefused: number;
  webhookLostAnswer: number;
  deadLetterSendFailed: number;
}

/**
 * The platform's own misbehaviour, below the handlers' ports: queues that deliver twice or three
 * times and out of order, and a webhook path that fails before or after the receiver saw the post.
 * Seeded, so a scenario replays.
 */
export const deliveryFaults = (settings: DeliveryFaultSettings, random: Prng) => {
  const counts: DeliveryFaultCounts = { duplicateDeliveries: 0, webhookRefused: 0, webhookLostAnswer: 0, deadLetterSendFailed: 0 };
  const delay = () => Math.floor(random.between(0, settings.maxDelaySeconds + 1));

  const queue = (inner: MessageQueue): MessageQueue => ({
    async send(body, options) {
      if (!settings.duplicateMessages) return inner.send(body, options);
      const base = options?.delaySeconds ?? 0;
      const extra = random.chance(0.5) ? 2 : 1;
      const first = await inner.send(body, { delaySeconds: base + (random.chance(0.3) ? delay() : 0) });
      for (let i = 0; i < extra; i += 1) await inner.send(body, { delaySeconds: base + delay() });
      counts.duplicateDeliveries += extra;
      return first;
    },
  });

  const transport = (inner: WebhookTransport): WebhookTransport => ({
    async post(request) {
      if (!random.chance(settings.webhookFailure)) return inner.post(request);
      if (random.chance(0.5)) {
        counts.webhookRefused += 1;
        return { ok: false, error: 'connection refused (injected)' };
      }
      const answer = await inner.post(request);
      counts.webhookLostAnswer += 1;
      return answer.ok ? { ok: false, status: 503, error: 'gateway answered 503 after delivery (injected)' } : answer;
    },
  });

  // Dead letters are never duplicated: the dead-letter queue is not a trigger, only its sends fail.
  const deadLetters = (inner: MessageQueue): MessageQueue => ({
    async send(body, options) {
      const failures = settings.deadLetterFailures ?? 0;
      if (failures === 'always' || counts.deadLetterSendFailed < failures) {
        counts.deadLetterSendFailed += 1;
        throw new RetryableError('QueueUnavailable', 'the dead-letter queue did not answer (injected)');
      }
      return inner.send(body, options);
    },
  });

  const decorate = (deps: Dependencies): Dependencies => ({
    ...deps,
    queues: { startCopy: queue(deps.queues.startCopy), notify: queue(deps.queues.notify), poll: queue(deps.queues.poll) },
    deadLetters: deadLetters(deps.deadLetters),
    transport: transport(deps.transport),
  });

  return { counts, decorate };
};
