import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeQueueEvent, decodeStartCopyEvent, describeInput, parseMessage } from '../../shared/platform/fc/events';
import { encodeRequeued } from '../../shared/platform/fc/requeue';
import { StartCopyMessage } from '../../shared/core/messages/messages';

const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(`test/fixtures/alibaba/${name}`, 'utf8'));

/** The documented EventBridge envelope around an ActionTrail record for `call`. */
const actionTrailEvent = (call: Record<string, unknown>) => ({
  ...fixture('eventbridge-cloudevents-envelope.alibabacloud-doc.json'),
  source: 'acs.actiontrail',
  type: 'ecs:ActionTrail:ApiCall',
  data: { ...fixture('eventbridge-actiontrail-apicall-data.alibabacloud-doc.json'), ...call },
});

const asBuffer = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('decodeStartCopyEvent', () => {
  it('reads the documented FC timer event as a sweep', () => {
    // Act
    const [input] = decodeStartCopyEvent(asBuffer(fixture('fc-timer-trigger-event.alibabacloud-doc.json')));
    // Assess
    expect(input).toEqual({ kind: 'sweep', triggerTime: '2018-02-09T05:49:00Z', payload: 'awesome-fc' });
  });

  it('reads the documented MNS queue trigger event, whose body here is not JSON, as invalid without throwing', () => {
    const [input] = decodeStartCopyEvent(asBuffer(fixture('fc-mns-queue-trigger-event.awesome-fc.json')));
    expect(input).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/C6DB60D1574661357FA227277445\*\*\*\*.*neither JSON nor base64/) });
  });

  it('decodes queue bodies that arrive base64-encoded or plain, one event or an array', () => {
    const body = { type: 'dispatch.requested', version: 1, reason: 'test' };
    const base = fixture('fc-mns-queue-trigger-event.awesome-fc.json');
    const plain = { ...base, data: { messageId: 'a', messageBody: JSON.stringify(body) } };
    const encoded = { ...base, data: { messageId: 'b', messageBody: Buffer.from(JSON.stringify(body)).toString('base64') } };
    const inputs = decodeStartCopyEvent(asBuffer([plain, encoded]));
    expect(inputs.map((i) => i.kind)).toEqual(['queue-message', 'queue-message']);
    expect(inputs.map((i) => (i.kind === 'queue-message' ? parseMessage(StartCopyMessage, i.body, i.messageId) : undefined))).toEqual([body, body]);
  });

  it('reads an ActionTrail CreateImage call with the documented envelope as a new image in its region', () => {
    const event = actionTrailEvent({ eventName: 'CreateImage', acsRegion: 'cn-hangzhou', responseElements: { ImageId: 'm-new', RequestId: 'r' } });
    const [input] = decodeStartCopyEvent(asBuffer(event));
    expect(input).toEqual({ kind: 'image-event', eventId: '45ef4dewdwe1-7c35-447a-bd93-fab****', eventName: 'CreateImage', region: 'cn-hangzhou', imageId: 'm-new' });
  });

  it('places the image of a CopyImage call in its destination region', () => {
    const event = actionTrailEvent({ eventName: 'CopyImage', acsRegion: 'cn-beijing', requestParameters: { DestinationRegionId: 'cn-hangzhou' }, responseElements: { ImageId: 'm-in' } });
    expect(decodeStartCopyEvent(asBuffer(event))[0]).toMatchObject({ region: 'cn-hangzhou', imageId: 'm-in' });
  });

  it('leaves the image id out when the event does not carry it, so start-copy sweeps the region', () => {
    const event = actionTrailEvent({ eventName: 'CreateImage', acsRegion: 'cn-hangzhou' });
    expect(decodeStartCopyEvent(asBuffer(event))[0]).toMatchObject({ kind: 'image-event', imageId: undefined });
  });

  it('ignores API calls that create no image, and failed calls', () => {
    const deleteDisk = actionTrailEvent({});
    const failed = actionTrailEvent({ eventName: 'CreateImage', errorCode: 'QuotaExceed.Image' });
    expect(decodeStartCopyEvent(asBuffer([deleteDisk, failed])).map((i) => i.kind)).toEqual(['ignored-event', 'ignored-event']);
  });

  it('names what is wrong with a malformed event and keeps the rest of the batch', () => {
    const good = fixture('fc-timer-trigger-event.alibabacloud-doc.json');
    const inputs = decodeStartCopyEvent(asBuffer([{ id: 'e1', source: 's', type: 'ecs:ActionTrail:ApiCall', data: { eventName: 'CreateImage' } }, good]));
    expect(inputs[0]).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/event e1.*acsRegion/) });
    expect(inputs[1]?.kind).toBe('sweep');
  });

  it('answers a non-JSON event as invalid', () => {
    expect(decodeStartCopyEvent(Buffer.from('<xml/>'))).toEqual([{ kind: 'invalid', reason: 'the event is not JSON', raw: '<xml/>' }]);
  });
});

describe('decodeQueueEvent', () => {
  it('refuses a timer event where a queue message is expected', () => {
    const [input] = decodeQueueEvent(asBuffer(fixture('fc-timer-trigger-event.alibabacloud-doc.json')));
    expect(input).toMatchObject({ kind: 'invalid', reason: 'expected a queue message, got sweep' });
  });
});

describe('queue messages put back by a batch (the requeue envelope)', () => {
  const body = JSON.stringify({ type: 'dispatch.requested', version: 2, reason: 'test' });
  const item = (messageId: string, messageBody: string) => ({
    ...fixture('fc-mns-queue-trigger-event.awesome-fc.json'),
    data: { messageId, messageBody: Buffer.from(messageBody).toString('base64') },
  });

  it('reads a message as its producer sent it, without an envelope, as one with no tries yet', () => {
    // Act
    const [input] = decodeStartCopyEvent(asBuffer(item('m-1', body)));

    // Assess
    expect(input).toEqual({ kind: 'queue-message', messageId: 'm-1', body });
    expect(describeInput(input!)).toEqual({ raw: body, messageId: 'm-1', message: { attempts: 0, firstMessageId: 'm-1' } });
  });

  it('reads a copy put back as the message it copies, with its tries and the id it was first sent with', () => {
    // Prepare
    const copy = encodeRequeued({ body, attempts: 3, firstMessageId: 'm-1' });

    // Act
    const [input] = decodeStartCopyEvent(asBuffer(item('m-9', copy)));

    // Assess
    expect(input).toEqual({ kind: 'queue-message', messageId: 'm-9', body, requeued: { attempts: 3, firstMessageId: 'm-1' } });
    expect(describeInput(input!)).toEqual({ raw: body, messageId: 'm-9', message: { attempts: 3, firstMessageId: 'm-1' } });
  });

  it('reads a body that claims to be an envelope and is not one as invalid, naming the message', () => {
    // Act
    const [input] = decodeStartCopyEvent(asBuffer(item('m-2', '{"type":"message.requeued","version":1,"attempts":-1}')));

    // Assess
    expect(input).toMatchObject({ kind: 'invalid', messageId: 'm-2', reason: expect.stringMatching(/^message m-2: message\.requeued: attempts: /) });
  });

  it('keeps the message id of a queue message that cannot be read, for its dead letter', () => {
    // Act
    const [notJson, tooLarge] = decodeStartCopyEvent(asBuffer([item('m-3', 'this is not a message'), item('m-4', `{"pad":"${'x'.repeat(70_000)}"}`)]));

    // Assess
    expect(notJson).toMatchObject({ kind: 'invalid', messageId: 'm-3' });
    expect(tooLarge).toMatchObject({ kind: 'invalid', messageId: 'm-4' });
    expect(describeInput(notJson!)).toMatchObject({ messageId: 'm-3' });
  });
});
