import type { Clock } from '../shared/core/domain/clock';
import type { CopyProviders } from '../shared/core/ports/copy-provider';
import type { JobStore } from '../shared/core/ports/job-store';
import type { Queues } from '../shared/core/ports/message-queue';
import type { DeadLetterBox } from './dead-letters/entry';

/**
 * What the operator commands (status, retry, cancel, dead-letters, history) work on: the local
 * state folder, or a deployment's Tablestore table and MNS queues. The commands never know which.
 */
export interface OperatorBackend {
  readonly kind: 'local' | 'cloud';
  /** For messages: "the local state in …", "Tablestore table … and MNS queues in …". */
  readonly where: string;
  readonly jobs: JobStore;
  readonly queues: Queues;
  readonly deadLetters: DeadLetterBox;
  readonly clock: Clock;
  /** Corrupt job rows the store skipped while listing, by id, with why. */
  readonly corrupt: ReadonlyMap<string, string>;
  providers(): CopyProviders;
  close(): Promise<void>;
}
