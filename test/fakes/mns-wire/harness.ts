import { ManualClock } from '../../../shared/core/domain/clock';
import { MnsMessageQueue, type MnsCredentials } from '../../../shared/stores/mns/mns-message-queue';
import type { QueueAttributes } from './fake-queues';
import { MnsWireServer } from './mns-wire-server';

export const TEST_CREDENTIALS = {
  accessKeyId: 'LTAI-test-access-key',
  accessKeySecret: 'test-secret-do-not-log-0123456789',
  securityToken: 'sts-token-do-not-log-abcdef',
} as const satisfies MnsCredentials;

export interface QueueOverrides {
  readonly credentials?: MnsCredentials;
  readonly queueName?: string;
  readonly receiveWaitSeconds?: number;
}

export interface MnsWireHarness {
  readonly fake: MnsWireServer;
  readonly endpoint: string;
  readonly clock: ManualClock;
  /** Backoff waits the adapter asked for, in order; nothing actually sleeps. */
  readonly sleeps: number[];
  queue(overrides?: QueueOverrides): MnsMessageQueue;
  close(): Promise<void>;
}

/** A fake MNS on 127.0.0.1 with one queue, and a factory for real-SDK adapters pointed at it. */
export const startMnsWire = async (options: { queueName?: string; attributes?: Partial<QueueAttributes>; securityToken?: string | undefined } = {}): Promise<MnsWireHarness> => {
  const clock = new ManualClock();
  const fake = new MnsWireServer({
    accessKeyId: TEST_CREDENTIALS.accessKeyId,
    accessKeySecret: TEST_CREDENTIALS.accessKeySecret,
    securityToken: 'securityToken' in options ? options.securityToken : TEST_CREDENTIALS.securityToken,
    clock,
    maxLongPollMs: 2_000,
  });
  const { endpoint } = await fake.start();
  const queueName = options.queueName ?? 'copy-tasks';
  fake.createQueue(queueName, options.attributes);
  const sleeps: number[] = [];
  return {
    fake,
    endpoint,
    clock,
    sleeps,
    queue: (overrides = {}) =>
      new MnsMessageQueue({
        accountId: '1234567890',
        region: 'cn-hangzhou',
        endpoint,
        queueName,
        credentials: TEST_CREDENTIALS,
        sleep: (ms: number) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
        ...overrides,
      }),
    close: () => fake.close(),
  };
};
