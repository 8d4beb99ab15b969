import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionTrailEvent, mnsQueueEvent } from '../../runtime/fc-events';
import { cli, project } from './helpers';

const TIMER = '{"triggerTime":"2026-11-01T00:00:00Z","triggerName":"poll-status","payload":""}';

describe('invoke', () => {
  it('runs poll-status once with a timer event and prints its answer', async () => {
    // Prepare
    const dir = project({ 'timer.json': TIMER });
    // Act
    const result = await cli(['invoke', 'poll-status', '--event', 'timer.json', '--config', 'policy.yaml', '--state-dir', 'state'], { cwd: dir });
    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ function: 'poll-status', answer: { results: [{ inFlight: 0 }], deadLettered: 0 } });
  });

  it('runs start-copy once with an ActionTrail CloudEvent, which creates the jobs', async () => {
    // Prepare: an image nobody asked for by id is only logged, as FC would see it for a stranger's image.
    const dir = project();
    writeFileSync(join(dir, 'event.json'), actionTrailEvent('CreateImage', 'cn-hangzhou', 'm-unknown', new Date()));
    // Act
    const result = await cli(['invoke', 'start-copy', '--event', 'event.json', '--config', 'policy.yaml', '--state-dir', 'state'], { cwd: dir });
    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ function: 'start-copy', answer: { deadLettered: 0, results: [{ input: 'image-created' }] } });
  });

  it('exits 1 when the input of an MNS batch is set aside, naming why', async () => {
    // Prepare
    const dir = project();
    writeFileSync(join(dir, 'batch.json'), mnsQueueEvent('notify', [{ messageId: 'm-1', receiptHandle: 'r', body: '{"type":"notification.requested"}', dequeueCount: 1, enqueuedAt: new Date() }], new Date()));
    // Act
    const result = await cli(['invoke', 'notify', '--event', 'batch.json', '--config', 'policy.yaml', '--state-dir', 'state'], { cwd: dir });
    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toContain('1 input(s) set aside on the dead-letter queue: InvalidInput');
  });

  it('refuses a file that is not an FC event with a clear message and exit 2', async () => {
    // Prepare
    const dir = project({ 'policy-as-event.json': '{"version":1,"policies":[]}', 'timer.json': TIMER });
    // Act
    const notEvent = await cli(['invoke', 'start-copy', '--event', 'policy-as-event.json', '--config', 'policy.yaml', '--state-dir', 'state'], { cwd: dir });
    const wrongKind = await cli(['invoke', 'notify', '--event', 'timer.json', '--config', 'policy.yaml', '--state-dir', 'state'], { cwd: dir });
    const unknownFunction = await cli(['invoke', 'copy-everything', '--event', 'timer.json'], { cwd: dir });
    // Assess
    expect(notEvent.code).toBe(2);
    expect(notEvent.err).toMatch(/policy-as-event\.json is not an FC event for start-copy \(a timer payload, an ActionTrail CloudEvent \(EventBridge\), or an MNS queue trigger batch\): not a timer event or CloudEvent/);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.err).toContain('is not an FC event for notify');
    expect(unknownFunction.code).toBe(2);
  });
});

describe('sim', () => {
  it('serves the ECS and IMS simulators and prints what to export, until asked to stop', async () => {
    // Prepare
    const stop = new AbortController();
    // Act
    const result = await cli(['sim'], { onOut: (text) => text.includes('huaweiProjects') && stop.abort(), signal: stop.signal, stopCode: 143 });
    // Assess
    expect(result.code).toBe(143);
    expect(result.out).toMatch(/^export IMAGE_REPLICATOR_ECS_ENDPOINT=http:\/\/127\.0\.0\.1:\d+$/m);
    expect(result.out).toMatch(/^export IMAGE_REPLICATOR_HUAWEI_IMS_ENDPOINT='http:\/\/127\.0\.0\.1:\d+\/\{region\}'$/m);
    expect(result.out).toMatch(/^export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI-sim-demo$/m);
    expect(result.out).toMatch(/^export HUAWEICLOUD_SDK_AK=\w+$/m);
  });
});
