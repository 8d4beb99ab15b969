import { randomUUID } from 'node:crypto';
import type { ReceivedMessage } from '../shared/core/ports/message-queue';

/**
 * The event payloads FC hands our functions, built the way the platform builds them (see the
 * documented samples in test/fixtures/alibaba), so the local runtime exercises the same decoding.
 */

export const timerEvent = (triggerName: string, at: Date): Buffer =>
  Buffer.from(JSON.stringify({ triggerTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z'), triggerName, payload: '' }));

/** FC's MNS queue trigger: CloudEvents, an array for a batch, bodies base64 as MNS stores them. */
export const mnsQueueEvent = (queue: string, messages: readonly ReceivedMessage[], at: Date): Buffer =>
  Buffer.from(
    JSON.stringify(
      messages.map((message) => ({
        id: randomUUID(),
        source: `MNS-${queue}-trigger`,
        specversion: '1.0',
        type: 'mns:Queue:SendMessage',
        datacontenttype: 'application/json; charset=utf-8',
        subject: `acs:mns:local:000000000000:queues/${queue}`,
        time: at.toISOString(),
        aliyuneventbusname: `MNS-${queue}-trigger`,
        aliyunregionid: 'local',
        data: {
          requestId: randomUUID(),
          messageId: message.messageId,
          messageBody: Buffer.from(message.body, 'utf8').toString('base64'),
        },
      })),
    ),
  );

/** What EventBridge forwards for an ECS API call recorded by ActionTrail. */
export const actionTrailEvent = (eventName: string, region: string, imageId: string, at: Date): Buffer => {
  const eventId = randomUUID();
  return Buffer.from(
    JSON.stringify({
      id: eventId,
      source: 'acs.actiontrail',
      specversion: '1.0',
      type: 'ecs:ActionTrail:ApiCall',
      subject: `acs.ecs:${region}:000000000000:image/${imageId}`,
      time: at.toISOString(),
      aliyuneventbusname: 'default',
      aliyunregionid: region,
      data: {
        eventId,
        eventVersion: 1,
        eventType: 'ApiCall',
        eventRW: 'Write',
        eventName,
        serviceName: 'Ecs',
        acsRegion: region,
        eventTime: at.toISOString(),
        requestId: randomUUID(),
        userIdentity: { type: 'ram-user', accountId: '000000000000' },
        responseElements: { ImageId: imageId, RequestId: randomUUID() },
      },
    }),
  );
};
