import { request } from 'node:http';
import MNSClient from '@alicloud/mns';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MnsWireHarness, TEST_CREDENTIALS, startMnsWire } from '../../fakes/mns-wire/harness';
import { XmlSyntaxError, parseXml } from '../../fakes/mns-wire/xml';

const rejectionOf = async (promise: Promise<unknown>): Promise<Error> => {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
};

/** The raw SDK, to show what the adapter works around. */
describe('MNS wire fake, driven by the bare @alicloud/mns client', () => {
  let wire: MnsWireHarness;
  let client: MNSClient;

  beforeEach(async () => {
    wire = await startMnsWire();
    client = new MNSClient('1234567890', { endpoint: wire.endpoint, ...TEST_CREDENTIALS });
  });

  afterEach(async () => {
    await wire.close();
  });

  it.each([
    ['a bare "<"', 'a<b'],
    ['a bare "&"', 'fish & chips'],
    ['"]]>"', 'x]]>y'],
  ])('rejects as MalformedXML a body the SDK sends unescaped with %s', async (_label, body) => {
    // Act
    const error = await rejectionOf(client.sendMessage('copy-tasks', { MessageBody: body }));

    // Assess
    expect(error.name).toBe('MNSMalformedXMLError');
    expect(wire.fake.queues.get('copy-tasks').messages).toEqual([]);
  });

  it('accepts the same awkward body once base64-encoded', async () => {
    // Prepare
    const body = Buffer.from('a<b & c ]]> 😀', 'utf8').toString('base64');

    // Act
    const response = await client.sendMessage('copy-tasks', { MessageBody: body });

    // Assess
    expect(response.code).toBe(201);
    expect(wire.fake.queues.get('copy-tasks').messages.map((message) => message.body)).toEqual([body]);
  });

  it('answers every value as a string', async () => {
    // Prepare
    await client.sendMessage('copy-tasks', { MessageBody: 'x', DelaySeconds: 0 });

    // Act
    const response = await client.receiveMessage('copy-tasks');

    // Assess
    expect(Object.values(response.body as Record<string, unknown>).every((value) => typeof value === 'string')).toBe(true);
    expect(response.body).toMatchObject({ DequeueCount: '1', Priority: '8' });
  });

  it('fails a delete whose "+" was not URL-encoded and accepts it encoded', async () => {
    // Prepare
    await client.sendMessage('copy-tasks', { MessageBody: 'x' });
    const handle = ((await client.receiveMessage('copy-tasks')).body as { ReceiptHandle: string }).ReceiptHandle;

    // Act
    const raw = await rejectionOf(client.deleteMessage('copy-tasks', handle));
    const encoded = await client.deleteMessage('copy-tasks', encodeURIComponent(handle));

    // Assess
    expect(raw.name).toBe('MNSReceiptHandleErrorError');
    expect(encoded.code).toBe(204);
  });

  it('throws MessageNotExist on a receive from an empty queue, as the service does', async () => {
    // Act
    const error = await rejectionOf(client.receiveMessage('copy-tasks'));

    // Assess
    expect(error.name).toBe('MNSMessageNotExistError');
    expect(error.message).toContain('failed with 404');
  });

  it('rejects a request whose body does not match its Content-MD5', async () => {
    // Prepare
    const body = '<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>eA==</MessageBody></Message>';

    // Act
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const url = new URL('/queues/copy-tasks/messages', wire.endpoint);
      const outgoing = request(url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml', 'content-md5': 'bm90LXRoZS1tZDU=', date: new Date().toUTCString(), authorization: 'MNS LTAI-test-access-key:bad' },
      });
      outgoing.once('response', (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      outgoing.once('error', reject);
      outgoing.end(body);
    });

    // Assess
    expect(status).toBe(403);
    expect(wire.fake.queues.get('copy-tasks').messages).toEqual([]);
  });
});

describe('strict XML reader of the fake', () => {
  it('reads entities, numeric references and CDATA', () => {
    // Act
    const root = parseXml('<?xml version="1.0"?><R a="1"><T>&lt;&amp;&#233;&#x1F600;<![CDATA[<raw>]]></T></R>');

    // Assess
    expect(root.children[0]?.text).toBe('<&é😀<raw>');
  });

  it.each(['<R><T>a</R>', '<R>x</R><R/>', '<R>&nope;</R>', '<R>unterminated'])('refuses %s', (xml) => {
    // Act
    const parse = (): unknown => parseXml(xml);

    // Assess
    expect(parse).toThrow(XmlSyntaxError);
  });
});
