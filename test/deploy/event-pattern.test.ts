import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeStartCopyEvent, IMAGE_CREATING_EVENTS } from '../../shared/platform/fc/events';
import { EventPattern, matchesPattern } from './event-pattern';
import { ROOT } from './s-preview';

const readJson = (path: string): unknown => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as unknown;

const imageCreatedPattern = EventPattern.parse(readJson('deploy/eventbridge/image-created-pattern.json'));

/**
 * An ECS ActionTrail event as the default bus delivers it, from the documented pieces: the
 * CloudEvents envelope and the documented ActionTrail record (a DeleteDisk call), with the event
 * name and the fields an image call adds swapped in.
 */
const actionTrailEvent = (change: { eventName?: string; type?: string; data?: Record<string, unknown> } = {}): Record<string, unknown> => {
  const envelope = readJson('test/fixtures/alibaba/eventbridge-cloudevents-envelope.alibabacloud-doc.json') as Record<string, unknown>;
  const record = readJson('test/fixtures/alibaba/eventbridge-actiontrail-apicall-data.alibabacloud-doc.json') as Record<string, unknown>;
  return {
    ...envelope,
    source: 'acs.ecs',
    type: change.type ?? 'ecs:ActionTrail:ApiCall',
    data: { ...record, ...(change.eventName === undefined ? {} : { eventName: change.eventName }), ...change.data },
  };
};

describe('the EventBridge pattern for new custom images', () => {
  it('matches the documented ActionTrail event once it is a CreateImage call', () => {
    // Prepare
    const event = actionTrailEvent({ eventName: 'CreateImage', data: { responseElements: { ImageId: 'm-new' } } });
    // Act
    const matched = matchesPattern(imageCreatedPattern, event);
    // Assess
    expect(matched).toBe(true);
  });

  it('does not match the documented DeleteDisk event', () => {
    // Prepare
    const event = actionTrailEvent();
    // Act
    const matched = matchesPattern(imageCreatedPattern, event);
    // Assess
    expect((event.data as { eventName: string }).eventName).toBe('DeleteDisk');
    expect(matched).toBe(false);
  });

  it('selects exactly the calls start-copy treats as image-creating', () => {
    // Prepare
    const candidates = [...IMAGE_CREATING_EVENTS, 'DeleteImage', 'CancelCopyImage', 'ModifyImageAttribute', 'CreateSnapshot'];
    // Act
    const selected = candidates.filter((eventName) => matchesPattern(imageCreatedPattern, actionTrailEvent({ eventName })));
    // Assess
    expect(selected).toEqual([...IMAGE_CREATING_EVENTS]);
  });

  it('hands start-copy events it understands, a CopyImage in its destination region', () => {
    // Prepare
    const event = actionTrailEvent({
      eventName: 'CopyImage',
      data: { requestParameters: { ImageId: 'm-src', DestinationRegionId: 'cn-shanghai' }, responseElements: { ImageId: 'm-copy' } },
    });
    // Act
    const decoded = matchesPattern(imageCreatedPattern, event) ? decodeStartCopyEvent(Buffer.from(JSON.stringify(event))) : [];
    // Assess
    expect(decoded).toMatchObject([{ kind: 'image-event', eventName: 'CopyImage', region: 'cn-shanghai', imageId: 'm-copy' }]);
  });

  it('ignores events of other kinds and of other services', () => {
    // Prepare
    const others = [
      actionTrailEvent({ eventName: 'CreateImage', type: 'ecs:ActionTrail:AliyunServiceEvent' }),
      actionTrailEvent({ eventName: 'CreateImage', data: { serviceName: 'Ebs' } }),
      readJson('test/fixtures/alibaba/eventbridge-cloudevents-envelope.alibabacloud-doc.json'),
    ];
    // Act
    const matched = others.map((event) => matchesPattern(imageCreatedPattern, event));
    // Assess
    expect(matched).toEqual([false, false, false]);
  });
});

describe('the pattern matcher', () => {
  it('treats array entries as alternatives, objects as nested fields, and prefix/suffix as string tests', () => {
    // Prepare
    const pattern = EventPattern.parse({ type: [{ prefix: 'ecs:' }, 'x'], data: { name: [{ suffix: 'Image' }], tags: ['a'] } });
    // Act
    const verdicts = [
      matchesPattern(pattern, { type: 'ecs:Anything', data: { name: 'CopyImage', tags: ['b', 'a'] } }),
      matchesPattern(pattern, { type: 'x', data: { name: 'CreateImage', tags: 'a' } }),
      matchesPattern(pattern, { type: 'oss:Anything', data: { name: 'CopyImage', tags: ['a'] } }),
      matchesPattern(pattern, { type: 'ecs:A', data: { name: 'CopyDisk', tags: ['a'] } }),
      matchesPattern(pattern, { type: 'ecs:A' }),
      matchesPattern(pattern, { type: 'ecs:A', data: { name: 42, tags: ['a'] } }),
    ];
    // Assess
    expect(verdicts).toEqual([true, true, false, false, false, false]);
  });

  it('refuses pattern operators it does not model, so a test cannot pass on a rule it ignores', () => {
    // Prepare
    const unmodelled = [{ type: [{ 'anything-but': 'x' }] }, { type: [] }, { type: 'ecs' }, {}];
    // Act
    const accepted = unmodelled.map((pattern) => EventPattern.safeParse(pattern).success);
    // Assess
    expect(accepted).toEqual([false, false, false, false]);
  });

  it('matches the MNS trigger event of the documented sample with its event-stream source', () => {
    // Prepare
    const event = readJson('test/fixtures/alibaba/fc-mns-queue-trigger-event.awesome-fc.json') as { source: string };
    const pattern = EventPattern.parse({ source: [event.source] });
    // Act
    const verdicts = [matchesPattern(pattern, event), matchesPattern(pattern, { ...event, source: 'MNS-other-function-trigger' })];
    // Assess
    expect(verdicts).toEqual([true, false]);
  });
});
