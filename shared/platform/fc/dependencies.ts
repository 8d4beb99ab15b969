import type { WebhookSecrets } from '../../core/config/load-policy-config';
import type { PolicyConfig } from '../../core/config/policy-config';
import type { Clock } from '../../core/domain/clock';
import type { CopyProviders } from '../../core/ports/copy-provider';
import type { JobStore } from '../../core/ports/job-store';
import type { Logger } from '../../core/ports/logger';
import type { MessageQueue, Queues } from '../../core/ports/message-queue';
import type { PlanHints } from '../../core/ports/plan-hints';
import type { SpeedBook } from '../../core/ports/speed-book';
import type { WebhookOutboxStore } from '../../core/ports/webhook-outbox';
import type { WebhookTransport } from '../../core/ports/webhook-transport';
import type { FcCredentials } from './context';

/** Everything a handler may need, built by a wiring: the cloud one (FC) or the local one (runtime). */
export interface Dependencies {
  readonly config: PolicyConfig;
  readonly secrets: WebhookSecrets;
  /** The image cloud of each (provider, account) the policies name. */
  readonly providers: CopyProviders;
  readonly jobs: JobStore;
  readonly queues: Queues;
  /** Where input that cannot be understood is set aside, with the reason, for an operator. */
  readonly deadLetters: MessageQueue;
  readonly transport: WebhookTransport;
  readonly clock: Clock;
  /** Real time, for what leaves the system (webhook signatures), also when `clock` is a simulator's. */
  readonly wallClock: Clock;
  readonly logger: Logger;
  readonly pause: (ms: number) => Promise<void>;
  /**
   * Where chat webhooks' outboxes (rate budgets, leases, digest marks) are kept between
   * invocations: the jobs' table on FC, the SQLite file locally; absent (tests), in the process.
   */
  readonly outbox?: WebhookOutboxStore | undefined;
  /** Observed copy speeds between regions (relay source choice); absent, sources are taken in order. */
  readonly speeds?: SpeedBook | undefined;
  /** The last joint schedule's order, a hint for the next dispatch pass (kept per instance). */
  readonly plans?: PlanHints | undefined;
}

export interface Wiring {
  /** Called once per invocation; implementations cache per credential set. */
  dependencies(credentials: FcCredentials | undefined): Dependencies;
}
