import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReplicationError } from '../../shared/core/domain/errors';
import type { MessageQueue, QueueConsumer, ReceivedMessage } from '../../shared/core/ports/message-queue';

export interface MessageQueueHarness {
  readonly producer: MessageQueue;
  readonly consumer: QueueConsumer;
  /** Moves the queue's clock forward. */
  advance(seconds: number): Promise<void> | void;
  close(): Promise<void> | void;
}

export interface MessageQueueContractOptions {
  /** The largest body the implementation promises to carry. */
  readonly maxBodyBytes: number;
}

const VISIBILITY = 30;

/** A body of exactly `bytes` UTF-8 bytes mixing 1-, 2-, 3- and 4-byte characters. */
const bodyOfBytes = (bytes: number): string => {
  const unit = 'a<é&€]]>😀'; // 1+1+2+1+3+1+1+1+4 = 15 bytes
  const unitBytes = Buffer.byteLength(unit);
  return unit.repeat(Math.floor(bytes / unitBytes)) + 'x'.repeat(bytes % unitBytes);
};

const errorCodeOf = async (promise: Promise<unknown>): Promise<string> => {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ReplicationError);
  return (error as ReplicationError).code;
};

const only = (messages: readonly ReceivedMessage[]): ReceivedMessage => {
  expect(messages).toHaveLength(1);
  return messages[0]!;
};

/**
 * What every MessageQueue + QueueConsumer must do, whatever carries the messages: the embedded
 * SQLite queue locally, MNS in the cloud. Register it once per implementation.
 */
export const describeMessageQueueContract = (name: string, factory: () => Promise<MessageQueueHarness>, options: MessageQueueContractOptions): void => {
  describe(`MessageQueue contract: ${name}`, () => {
    let queue: MessageQueueHarness;

    beforeEach(async () => {
      queue = await factory();
    });

    afterEach(async () => {
      await queue.close();
    });

    it.each([
      ['XML metacharacters', '{"note":"a<b & c > d","cdata":"]]>","tag":"</MessageBody>"}'],
      ['unicode', '{"name":"镜像-复制 ✓ café 😀","rtl":"שלום"}'],
      ['whitespace and quotes', '  "quoted"\n\t\'single\'\r\n  '],
      ['a body as large as promised', bodyOfBytes(options.maxBodyBytes)],
    ])('delivers a body with %s unchanged and deletes it on ack', async (_label, body) => {
      // Prepare
      const { messageId } = await queue.producer.send(body);

      // Act
      const received = only(await queue.consumer.receive(10, VISIBILITY));
      await queue.consumer.ack(received.receiptHandle);
      await queue.advance(VISIBILITY + 1);

      // Assess
      expect(received).toMatchObject({ messageId, body, dequeueCount: 1 });
      expect(received.enqueuedAt).toBeInstanceOf(Date);
      expect(await queue.consumer.receive(10, VISIBILITY)).toEqual([]);
    });

    it('refuses a body larger than promised with MessageTooLarge', async () => {
      // Prepare
      const body = 'x'.repeat(options.maxBodyBytes + 1);

      // Act
      const code = await errorCodeOf(queue.producer.send(body));

      // Assess
      expect(code).toBe('MessageTooLarge');
    });

    it('answers an empty list when nothing is visible', async () => {
      // Act
      const received = await queue.consumer.receive(10, VISIBILITY);

      // Assess
      expect(received).toEqual([]);
    });

    it('keeps a delayed message hidden until its delay has passed', async () => {
      // Prepare
      await queue.producer.send('later', { delaySeconds: 60 });

      // Act
      await queue.advance(59);
      const early = await queue.consumer.receive(10, VISIBILITY);
      await queue.advance(1);
      const onTime = await queue.consumer.receive(10, VISIBILITY);

      // Assess
      expect(early).toEqual([]);
      expect(only(onTime).body).toBe('later');
    });

    it('refuses a delay outside 0 to 604800 seconds', async () => {
      // Act
      const tooLong = await errorCodeOf(queue.producer.send('x', { delaySeconds: 604_801 }));
      const negative = await errorCodeOf(queue.producer.send('x', { delaySeconds: -1 }));

      // Assess
      expect([tooLong, negative]).toEqual(['InvalidArgument', 'InvalidArgument']);
    });

    it('hides a received message for the visibility timeout, then redelivers it with a new receipt handle', async () => {
      // Prepare
      await queue.producer.send('work');
      const first = only(await queue.consumer.receive(1, VISIBILITY));

      // Act
      await queue.advance(VISIBILITY - 1);
      const whileInFlight = await queue.consumer.receive(10, VISIBILITY);
      await queue.advance(1);
      const second = only(await queue.consumer.receive(10, VISIBILITY));

      // Assess
      expect(whileInFlight).toEqual([]);
      expect(second.messageId).toBe(first.messageId);
      expect(second.dequeueCount).toBe(2);
      expect(second.receiptHandle).not.toBe(first.receiptHandle);
    });

    it('rejects an ack with a receipt handle that a later receive replaced', async () => {
      // Prepare
      await queue.producer.send('work');
      const first = only(await queue.consumer.receive(1, VISIBILITY));
      await queue.advance(VISIBILITY);
      const second = only(await queue.consumer.receive(1, VISIBILITY));

      // Act
      const code = await errorCodeOf(queue.consumer.ack(first.receiptHandle));

      // Assess
      expect(code).toBe('ReceiptHandleInvalid');
      await expect(queue.consumer.ack(second.receiptHandle)).resolves.toBeUndefined();
    });

    it('rejects a second ack of the same handle', async () => {
      // Prepare
      await queue.producer.send('work');
      const received = only(await queue.consumer.receive(1, VISIBILITY));
      await queue.consumer.ack(received.receiptHandle);

      // Act
      const code = await errorCodeOf(queue.consumer.ack(received.receiptHandle));

      // Assess
      expect(code).toBe('ReceiptHandleInvalid');
    });

    it('makes a message visible again after the retryLater delay, not before', async () => {
      // Prepare
      await queue.producer.send('flaky');
      const first = only(await queue.consumer.receive(1, VISIBILITY));

      // Act
      await queue.consumer.retryLater(first.receiptHandle, 120);
      await queue.advance(VISIBILITY + 1);
      const tooEarly = await queue.consumer.receive(10, VISIBILITY);
      await queue.advance(120 - VISIBILITY - 1);
      const again = only(await queue.consumer.receive(10, VISIBILITY));

      // Assess
      expect(tooEarly).toEqual([]);
      expect(again).toMatchObject({ messageId: first.messageId, body: 'flaky', dequeueCount: 2 });
    });

    it('rejects retryLater with a stale handle', async () => {
      // Prepare
      await queue.producer.send('work');
      const received = only(await queue.consumer.receive(1, VISIBILITY));
      await queue.consumer.ack(received.receiptHandle);

      // Act
      const code = await errorCodeOf(queue.consumer.retryLater(received.receiptHandle, 10));

      // Assess
      expect(code).toBe('ReceiptHandleInvalid');
    });

    it('delivers messages that became visible together in the order they were sent', async () => {
      // Prepare
      for (const body of ['m1', 'm2', 'm3', 'm4']) await queue.producer.send(body);

      // Act
      const received = await queue.consumer.receive(4, VISIBILITY);

      // Assess
      expect(received.map((message) => message.body)).toEqual(['m1', 'm2', 'm3', 'm4']);
    });

    it('delivers the message that became visible first before one sent earlier with a longer delay', async () => {
      // Prepare
      await queue.producer.send('slow', { delaySeconds: 20 });
      await queue.producer.send('fast', { delaySeconds: 10 });
      await queue.advance(20);

      // Act
      const received = await queue.consumer.receive(2, VISIBILITY);

      // Assess
      expect(received.map((message) => message.body)).toEqual(['fast', 'slow']);
    });

    it('receives no more than the batch limit and leaves the rest for the next receive', async () => {
      // Prepare
      for (let index = 0; index < 5; index += 1) await queue.producer.send(`m${index}`);

      // Act
      const first = await queue.consumer.receive(3, VISIBILITY);
      const second = await queue.consumer.receive(10, VISIBILITY);

      // Assess
      expect(first.map((message) => message.body)).toEqual(['m0', 'm1', 'm2']);
      expect(second.map((message) => message.body)).toEqual(['m3', 'm4']);
      expect(new Set([...first, ...second].map((message) => message.messageId)).size).toBe(5);
    });
  });
};
