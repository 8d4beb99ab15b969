import { readFileSync } from 'node:fs';

/** Valid FC event items, built from the documented payloads, that the fuzz suites start from. */
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`test/fixtures/alibaba/${name}`, 'utf8')) as Record<string, unknown>;

export const timerItem = (): Record<string, unknown> => fixture('fc-timer-trigger-event.alibabacloud-doc.json');

export const queueItem = (messageId: string, body: unknown, encoding: 'base64' | 'plain' = 'base64'): Record<string, unknown> => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    ...fixture('fc-mns-queue-trigger-event.awesome-fc.json'),
    id: `ce-${messageId}`,
    data: { requestId: `req-${messageId}`, messageId, messageBody: encoding === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text },
  };
};

export const actionTrailItem = (eventName: string, region: string, imageId: string): Record<string, unknown> => ({
  ...fixture('eventbridge-cloudevents-envelope.alibabacloud-doc.json'),
  id: `ev-${imageId}`,
  source: 'acs.actiontrail',
  type: 'ecs:ActionTrail:ApiCall',
  data: {
    ...fixture('eventbridge-actiontrail-apicall-data.alibabacloud-doc.json'),
    eventName,
    acsRegion: region,
    responseElements: { ImageId: imageId, RequestId: 'r-1' },
  },
});

export const replicationRequested = (imageId: string, region = 'cn-hangzhou'): Record<string, unknown> => ({
  type: 'replication.requested',
  version: 1,
  origin: 'fuzz',
  source: { region, imageId },
});

export const dispatchRequested = (): Record<string, unknown> => ({ type: 'dispatch.requested', version: 1, reason: 'fuzz', regions: ['cn-hangzhou'] });

export const notificationRequested = (jobId: string, eventId: string): Record<string, unknown> => ({
  type: 'notification.requested',
  version: 1,
  jobId,
  eventId,
});

/** A reason "names something specific": a zod path (or `(root)`) before a colon, or a named decoding failure. */
export const NAMES_A_FIELD = /(\(root\)|[A-Za-z_][\w.[\]-]*): |is not JSON|neither JSON nor base64|expected a queue message/;
