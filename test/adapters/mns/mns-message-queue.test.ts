import MNSClient from '@alicloud/mns';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MNS_MAX_ATTEMPTS, MNS_MAX_BATCH_RECEIVE, MnsMessageQueue } from '../../../shared/stores/mns/mns-message-queue';
import { ReplicationError } from '../../../shared/core/domain/errors';
import { type MnsWireHarness, TEST_CREDENTIALS, startMnsWire } from '../../fakes/mns-wire/harness';

const failureOf = async (promise: Promise<unknown>): Promise<ReplicationError> => {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ReplicationError);
  return error as ReplicationError;
};

const thrownBy = (build: () => unknown): unknown => {
  try {
    build();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

/** Everything an error could leak through: message, details, and its cause chain. */
const everythingIn = (error: unknown): string => {
  const parts: string[] = [];
  let current: unknown = error;
  while (current !== undefined && parts.length < 10) {
    parts.push(current instanceof Error ? `${current.name}: ${current.message}` : JSON.stringify(current));
    if (current instanceof Error) parts.push(JSON.stringify(current, Object.getOwnPropertyNames(current)));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
};

describe('MnsMessageQueue against the MNS wire fake', () => {
  let wire: MnsWireHarness;

  beforeEach(async () => {
    wire = await startMnsWire();
  });

  afterEach(async () => {
    await wire.close();
  });

  describe('wire format', () => {
    it('sends the body base64-encoded so XML metacharacters never reach the XML', async () => {
      // Prepare
      const body = '{"a":"<b> & ]]> ✓"}';

      // Act
      await wire.queue().send(body);

      // Assess
      const post = wire.fake.requests.find((request) => request.method === 'POST');
      expect(post?.body).toContain(`<MessageBody>${Buffer.from(body).toString('base64')}</MessageBody>`);
      expect(post?.body).not.toContain('<b>');
    });

    it('URL-encodes receipt handles holding "+", "/" and "=" for delete and change visibility', async () => {
      // Prepare
      const queue = wire.queue();
      await queue.send('x');
      const [message] = await queue.receive(1, 30);
      expect(message?.receiptHandle).toMatch(/\+/);

      // Act
      await queue.ack(message!.receiptHandle);

      // Assess
      const paths = wire.fake.requests.filter((request) => request.method === 'DELETE' || request.method === 'PUT').map((request) => request.url);
      expect(paths.every((path) => /[Hh]andle=[^&]*%2B/.test(path))).toBe(true);
      expect(paths).toHaveLength(2);
    });

    it('hands over a plain-text body that another producer sent without base64', async () => {
      // Prepare
      const raw = new MNSClient('1234567890', { endpoint: wire.endpoint, ...TEST_CREDENTIALS });
      await raw.sendMessage('copy-tasks', { MessageBody: 'plain text, not base64!' });

      // Act
      const [message] = await wire.queue().receive(1, 30);

      // Assess
      expect(message?.body).toBe('plain text, not base64!');
    });

    it('holds a received message for the visibility asked for, not the queue default', async () => {
      // Prepare
      const queue = wire.queue();
      await queue.send('slow job');
      await queue.receive(1, 120);

      // Act
      wire.clock.advance(31_000);
      const afterQueueDefault = await queue.receive(1, 120);
      wire.clock.advance(89_000);
      const afterAskedFor = await queue.receive(1, 120);

      // Assess
      expect(afterQueueDefault).toEqual([]);
      expect(afterAskedFor.map((message) => message.body)).toEqual(['slow job']);
    });

    it('asks for at most 16 messages per receive, the MNS batch limit', async () => {
      // Prepare
      const queue = wire.queue();
      for (let index = 0; index < 20; index += 1) await queue.send(`m${index}`);

      // Act
      const received = await queue.receive(100, 30);

      // Assess
      expect(received).toHaveLength(MNS_MAX_BATCH_RECEIVE);
      expect(wire.fake.requests.some((request) => request.url.includes('numOfMessages=16'))).toBe(true);
    });

    it('long-polls when configured and answers as soon as a message arrives', async () => {
      // Prepare
      const consumer = wire.queue({ receiveWaitSeconds: 20 });
      const started = Date.now();
      const receiving = consumer.receive(1, 30);

      // Act
      await wire.queue().send('arrived');
      const received = await receiving;

      // Assess
      expect(received.map((message) => message.body)).toEqual(['arrived']);
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(wire.fake.requests.some((request) => request.url.includes('waitseconds=20'))).toBe(true);
    });
  });

  describe('authentication', () => {
    it('fails terminally, without retrying, when the signature does not match', async () => {
      // Prepare
      const queue = wire.queue({ credentials: { ...TEST_CREDENTIALS, accessKeySecret: 'wrong-secret-value' } });

      // Act
      const error = await failureOf(queue.send('x'));

      // Assess
      expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', retryable: false });
      expect(error.details).toMatchObject({ status: 403, attempts: 1 });
      expect(wire.sleeps).toEqual([]);
    });

    it('passes the STS token in the security-token header', async () => {
      // Act
      await wire.queue().send('x');

      // Assess
      expect(wire.fake.requests[0]?.headers['security-token']).toBe(TEST_CREDENTIALS.securityToken);
    });

    it('is refused when the STS token is missing', async () => {
      // Prepare
      const { securityToken: _dropped, ...withoutToken } = TEST_CREDENTIALS;
      const queue = wire.queue({ credentials: withoutToken });

      // Act
      const error = await failureOf(queue.send('x'));

      // Assess
      expect(error).toMatchObject({ code: 'InvalidSecurityToken', retryable: false });
    });

    it('puts no secret or token in any error it raises', async () => {
      // Prepare
      const wrongSecret = wire.queue({ credentials: { ...TEST_CREDENTIALS, accessKeySecret: `${TEST_CREDENTIALS.accessKeySecret}-x` } });
      const missingQueue = wire.queue({ queueName: 'no-such-queue' });
      wire.fake.failNext(MNS_MAX_ATTEMPTS, 'drop');
      const errors: unknown[] = [await failureOf(wire.queue().send('x')), await failureOf(wrongSecret.send('x')), await failureOf(missingQueue.receive(1, 30))];
      errors.push(
        thrownBy(() => new MnsMessageQueue({ accountId: '1', region: 'cn-hangzhou', endpoint: 'ftp://nope', queueName: 'q', credentials: TEST_CREDENTIALS })),
      );

      // Act
      const text = errors.map(everythingIn).join('\n');

      // Assess
      expect(errors.map((error) => (error as ReplicationError).code)).toEqual(['NetworkError', 'SignatureDoesNotMatch', 'QueueNotExist', 'InvalidConfig']);
      expect(text).toContain('endpoint');
      expect(text).not.toContain(TEST_CREDENTIALS.accessKeySecret);
      expect(text).not.toContain(TEST_CREDENTIALS.securityToken);
    });
  });

  describe('retries', () => {
    it.each([
      ['503 ServiceUnavailable', 'unavailable'],
      ['500 InternalError', 'internal'],
      ['a bare 503 without an XML body', 'bare-503'],
      ['a dropped connection', 'drop'],
    ] as const)('retries %s with exponential backoff and then succeeds', async (_label, fault) => {
      // Prepare
      const queue = wire.queue();
      wire.fake.failNext(2, fault);

      // Act
      const { messageId } = await queue.send('survives');

      // Assess
      expect(messageId).toMatch(/\w+/);
      expect(wire.sleeps).toEqual([100, 200]);
      expect(wire.fake.requests).toHaveLength(3);
    });

    it('gives up after the last attempt with a retryable error carrying the MNS code', async () => {
      // Prepare
      const queue = wire.queue();
      wire.fake.failNext(MNS_MAX_ATTEMPTS, 'unavailable');

      // Act
      const error = await failureOf(queue.send('lost?'));

      // Assess
      expect(error).toMatchObject({ code: 'ServiceUnavailable', retryable: true });
      expect(error.details).toMatchObject({ status: 503, attempts: MNS_MAX_ATTEMPTS, operation: 'SendMessage' });
      expect(error.cause).toBeInstanceOf(Error);
      expect(wire.sleeps).toEqual([100, 200, 400]);
    });

    it('retries the receive and the acknowledgement too', async () => {
      // Prepare
      const queue = wire.queue();
      await queue.send('work');
      wire.fake.failNext(1, 'drop');
      const [message] = await queue.receive(1, 30);
      wire.fake.failNext(1, 'internal');

      // Act
      await queue.ack(message!.receiptHandle);

      // Assess
      expect(wire.sleeps).toEqual([100, 100]);
      expect(wire.fake.queues.counts('copy-tasks')).toEqual({ active: 0, inactive: 0, delayed: 0 });
    });

    it('lets a received message it could not re-time come back after the queue default instead of losing it', async () => {
      // Prepare
      const queue = wire.queue();
      await queue.send('keep me');
      wire.fake.failNext(MNS_MAX_ATTEMPTS, 'internal', { method: 'PUT' });

      // Act
      const error = await failureOf(queue.receive(1, 600));
      wire.clock.advance(30_000);
      const later = await queue.receive(1, 600);

      // Assess
      expect(error).toMatchObject({ code: 'InternalError', retryable: true });
      expect(later).toEqual([expect.objectContaining({ body: 'keep me', dequeueCount: 2 })]);
    });

    it('does not retry a missing queue', async () => {
      // Prepare
      const queue = wire.queue({ queueName: 'no-such-queue' });

      // Act
      const error = await failureOf(queue.send('x'));

      // Assess
      expect(error).toMatchObject({ code: 'QueueNotExist', retryable: false });
      expect(wire.sleeps).toEqual([]);
    });
  });

  describe('ensureQueue', () => {
    const settings = { visibilityTimeout: 60, messageRetentionPeriod: 86_400, maximumMessageSize: 65_536, pollingWaitSeconds: 10 };

    it('creates a missing queue with the settings, then leaves it alone when run again', async () => {
      // Prepare
      const queue = wire.queue({ queueName: 'notify' });

      // Act
      const first = await queue.ensureQueue(settings);
      const second = await queue.ensureQueue(settings);

      // Assess
      expect([first.action, second.action]).toEqual(['created', 'unchanged']);
      expect(wire.fake.queues.get('notify').attributes).toMatchObject({ visibilityTimeout: 60, messageRetentionPeriod: 86_400, pollingWaitSeconds: 10 });
    });

    it('updates an existing queue whose attributes differ', async () => {
      // Prepare
      const queue = wire.queue();

      // Act
      const result = await queue.ensureQueue({ ...settings, visibilityTimeout: 300 });

      // Assess
      expect(result.action).toBe('updated');
      expect(wire.fake.queues.get('copy-tasks').attributes.visibilityTimeout).toBe(300);
    });

    it('reports that a dead-letter policy was not applied, because this SDK cannot express it', async () => {
      // Act
      const result = await wire.queue({ queueName: 'with-dlq' }).ensureQueue({ ...settings, deadLetter: { queueName: 'with-dlq-dead', maxReceiveCount: 5 } });

      // Assess
      expect(result).toEqual({ action: 'created', deadLetterPolicyApplied: false });
    });

    it('refuses settings outside the MNS ranges before calling the service', async () => {
      // Act
      const error = await failureOf(wire.queue().ensureQueue({ ...settings, visibilityTimeout: 0 }));

      // Assess
      expect(error.code).toBe('InvalidArgument');
      expect(wire.fake.requests).toEqual([]);
    });
  });
});
