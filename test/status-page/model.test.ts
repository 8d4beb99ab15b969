import { describe, expect, it } from 'vitest';
import type { Job } from '../../shared/core/domain/job';
import { buildStatusModel, MAX_SOURCES, STALLED_AFTER_SECONDS } from '../../shared/platform/status-page/model';
import { pageJob } from './jobs';

const NOW = new Date('2026-11-01T01:00:00Z');

describe('the status model', () => {
  it('tells one state per source image, like a replication status: in progress, completed or failed', () => {
    // Prepare
    const jobs = [
      pageJob({ id: 'rj-a1', state: 'available', imageId: 'm-a', destination: 'cn-shanghai' }),
      pageJob({ id: 'rj-a2', state: 'copying', imageId: 'm-a', destination: 'cn-beijing' }),
      pageJob({ id: 'rj-b1', state: 'available', imageId: 'm-b', destination: 'cn-shanghai' }),
      pageJob({ id: 'rj-c1', state: 'failed', imageId: 'm-c', destination: 'cn-shanghai' }),
      pageJob({ id: 'rj-c2', state: 'available', imageId: 'm-c', destination: 'cn-beijing' }),
    ];
    // Act
    const model = buildStatusModel(jobs, { now: NOW });
    // Assess
    const states = Object.fromEntries(model.policies.flatMap((p) => p.sources).map((s) => [s.imageId, s.state]));
    expect(states).toEqual({ 'm-a': 'InProgress', 'm-b': 'Completed', 'm-c': 'Failed' });
    expect(model.counts).toMatchObject({ available: 3, copying: 1, failed: 1 });
  });

  it('takes the provider’s time left when it gives one, else estimates it from the progress so far', () => {
    // Prepare
    const provider = pageJob({ id: 'rj-p', state: 'copying', destination: 'cn-beijing', createdAt: '2026-11-01T00:40:00Z', startAfterSeconds: 0, progress: { percent: 50, atSeconds: 600, remainingSeconds: 1234 } });
    const estimated = pageJob({ id: 'rj-e', state: 'copying', destination: 'cn-shanghai', createdAt: '2026-11-01T00:50:00Z', startAfterSeconds: 0, progress: { percent: 25, atSeconds: 300 } });
    // Act
    const rows = buildStatusModel([provider, estimated], { now: NOW }).policies[0]?.sources[0]?.destinations ?? [];
    // Assess
    expect(rows.map((row) => [row.jobId, row.progressPercent, row.etaSeconds])).toEqual([
      ['rj-p', 50, 1234],
      // Ten minutes for the first 25 %: thirty more for the rest.
      ['rj-e', 25, 1800],
    ]);
  });

  it('shows what runs and waits per destination region, and a copy that stalled', () => {
    // Prepare
    const jobs = [
      pageJob({ id: 'rj-1', state: 'copying', imageId: 'm-1', createdAt: '2026-11-01T00:00:00Z', progress: { percent: 10, atSeconds: 60 } }),
      pageJob({ id: 'rj-2', state: 'copying', imageId: 'm-2', createdAt: '2026-11-01T00:55:00Z', startAfterSeconds: 0 }),
      pageJob({ id: 'rj-3', state: 'queued', imageId: 'm-3', createdAt: '2026-11-01T00:20:00Z' }),
      pageJob({ id: 'rj-4', state: 'queued', imageId: 'm-4', destination: 'cn-beijing', createdAt: '2026-11-01T00:50:00Z' }),
    ];
    // Act
    const model = buildStatusModel(jobs, { now: NOW, maxConcurrentCopiesPerRegion: 5 });
    // Assess
    expect(model.regions).toEqual([
      { provider: 'alibaba', region: 'cn-beijing', running: 0, cap: 5, queued: 1, oldestQueuedSeconds: 600, stalled: 0 },
      { provider: 'alibaba', region: 'cn-shanghai', running: 2, cap: 5, queued: 1, oldestQueuedSeconds: 2400, stalled: 1 },
    ]);
    const stalled = model.policies[0]?.sources.flatMap((s) => s.destinations).find((row) => row.jobId === 'rj-1');
    expect(stalled?.stalledSeconds).toBeGreaterThanOrEqual(STALLED_AFTER_SECONDS);
  });

  it('keeps every text from a job one bounded inert line', () => {
    // Prepare
    const hostile = pageJob({ id: 'rj-x', state: 'failed', imageName: `evil\u202Egnp.exe\n<script>${'x'.repeat(100_000)}`, error: { code: 'Boom', message: `see http://evil.example.com/\u0000 ${'y'.repeat(1_000_000)}` } });
    // Act
    const [source] = buildStatusModel([hostile], { now: NOW }).policies[0]?.sources ?? [];
    // Assess
    expect(Buffer.byteLength(source?.imageName ?? '')).toBeLessThanOrEqual(256);
    expect(source?.imageName).not.toMatch(/[\u202E\n]/);
    expect(Buffer.byteLength(source?.destinations[0]?.lastError?.message ?? '')).toBeLessThanOrEqual(2048);
    expect(source?.destinations[0]?.lastError?.message).not.toContain('http://');
  });

  it('shows the job’s history log when its record has one, and says so when it has none', () => {
    // Prepare
    const plain = { ...pageJob({ id: 'rj-plain', state: 'available', imageId: 'm-plain' }), history: undefined };
    const logged = {
      ...pageJob({ id: 'rj-log', state: 'available', imageId: 'm-log' }),
      history: [
        { at: '2026-11-01T00:01:00Z', type: 'copy.accepted', handle: 'm-copy' },
        { time: '2026-11-01T00:11:00Z', event: 'copy.observed', state: 'available', progress: 100 },
        'not an object',
      ],
    } as unknown as Job;
    // Act
    const rows = buildStatusModel([plain, logged], { now: NOW }).policies[0]?.sources.flatMap((s) => s.destinations) ?? [];
    // Assess
    expect(rows.find((row) => row.jobId === 'rj-plain')?.history).toBeNull();
    expect(rows.find((row) => row.jobId === 'rj-log')?.history).toEqual([
      { at: '2026-11-01T00:01:00Z', what: 'copy.accepted', detail: 'handle=m-copy' },
      { at: '2026-11-01T00:11:00Z', what: 'copy.observed', detail: 'state=available · progress=100' },
      { at: null, what: 'unreadable entry', detail: '' },
    ]);
  });

  it('shows what is going on: old finished sources are left out and counted, a job asked for is always there', () => {
    // Prepare
    const old = pageJob({ id: 'rj-old', state: 'available', imageId: 'm-old', createdAt: '2026-10-01T00:00:00Z' });
    const many = Array.from({ length: MAX_SOURCES + 5 }, (_, i) => pageJob({ id: `rj-n${i}`, state: 'queued', imageId: `m-n${i}`, createdAt: '2026-11-01T00:30:00Z' }));
    // Act
    const everything = buildStatusModel([old, ...many], { now: NOW });
    const asked = buildStatusModel([old, ...many], { now: NOW, filter: { job: 'rj-old' } });
    // Assess
    expect(everything.policies[0]?.sources).toHaveLength(MAX_SOURCES);
    expect(everything.omittedSources).toBe(6);
    expect(asked.policies[0]?.sources.map((s) => s.imageId)).toEqual(['m-old']);
    expect(asked.omittedSources).toBe(0);
  });
});
