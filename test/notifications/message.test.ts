import { describe, expect, it } from 'vitest';
import { batchOutcomes, MAX_BATCH_ITEMS, statusPageLink, summarizeOutcome } from '../../shared/core/notifications/message';
import { utf8Bytes } from '../../shared/core/notifications/text';
import { finishedJob } from './finished-jobs';

const NOW = new Date('2026-03-01T12:00:00Z');

describe('outcome summary', () => {
  it('tells image, regions, provider, outcome, copy id and time taken of a finished copy', () => {
    // Prepare
    const job = finishedJob({ outcome: 'available', queuedSeconds: 60, copySeconds: 120, sizeGiB: 20 });

    // Act
    const summary = summarizeOutcome(job, { provider: 'alibaba', now: NOW });

    // Assess
    expect(summary).toMatchObject({
      kind: 'outcome',
      outcome: 'available',
      provider: 'alibaba',
      image: { name: 'golden-ubuntu-22', id: 'm-bp1golden0001' },
      sourceRegion: 'cn-hangzhou',
      destinationRegion: 'cn-shanghai',
      copyImageId: 'm-uf6copy0001',
      durationSeconds: 180,
      copySeconds: 120,
      sizeGiB: 20,
      error: null,
      statusPageUrl: null,
      eventId: `${job.id}.r1.available`,
      finishedAt: '2026-03-01T00:03:00.000Z',
    });
  });

  it('keeps a failure’s code and message, one bounded inert line each', () => {
    // Prepare
    const message = `Copy failed.\nSee https://help.example/copy\u202e ${'x'.repeat(10_000)}`;
    const job = finishedJob({ outcome: 'failed', error: { code: 'InvalidSnapshot\n.Malformed', message } });

    // Act
    const summary = summarizeOutcome(job, { provider: 'huawei', now: NOW });

    // Assess
    expect(summary.outcome).toBe('failed');
    expect(summary.error?.code).toBe('InvalidSnapshot .Malformed');
    expect(summary.error?.message.startsWith('Copy failed. See https:')).toBe(true);
    expect(summary.error?.message).not.toMatch(/[\n\u202e]|:\/\//);
    expect(utf8Bytes(summary.error!.message)).toBeLessThanOrEqual(8192);
  });

  it('bounds every field taken from the job', () => {
    // Prepare
    const huge = '镜'.repeat(5000);
    const job = finishedJob({ outcome: 'timed_out', imageName: huge, imageId: huge, destinationRegion: huge, policy: huge });

    // Act
    const summary = summarizeOutcome(job, { provider: 'alibaba', now: NOW });

    // Assess
    expect(utf8Bytes(summary.image.name)).toBeLessThanOrEqual(256);
    expect(utf8Bytes(summary.image.id)).toBeLessThanOrEqual(128);
    expect(utf8Bytes(summary.destinationRegion)).toBeLessThanOrEqual(64);
    expect(utf8Bytes(summary.policy)).toBeLessThanOrEqual(64);
    expect(summary.error?.code).toBe('CopyTimedOut');
  });

  it('links to the configured status page only, with the job id strictly encoded', () => {
    // Prepare
    const job = finishedJob({ outcome: 'available', id: 'rj-1)](https://evil.example)' });

    // Act
    const summary = summarizeOutcome(job, { provider: 'alibaba', now: NOW, statusPageBaseUrl: 'https://status.example.com/replication' });

    // Assess
    expect(summary.statusPageUrl).toBe('https://status.example.com/replication?job=rj-1%29%5D%28https%3A%2F%2Fevil.example%29');
  });

  it.each([
    'http://status.example.com',
    'https://user:pw@status.example.com',
    'https://status.example.com/?next=x',
    'https://status.example.com/#x',
    'https://status.example.com/a(b)',
    'javascript:alert(1)',
  ])('refuses %s as a status-page base URL', (base) => {
    // Prepare
    // Act
    const link = () => statusPageLink(base, { job: 'rj-1' });

    // Assess
    expect(link).toThrow();
  });
});

describe('outcome batch', () => {
  it('counts each outcome and lists them oldest first', () => {
    // Prepare
    const summaries = [
      finishedJob({ outcome: 'available', id: 'rj-b', createdAt: '2026-03-01T00:10:00Z' }),
      finishedJob({ outcome: 'failed', id: 'rj-a', createdAt: '2026-03-01T00:00:00Z' }),
      finishedJob({ outcome: 'timed_out', id: 'rj-c', createdAt: '2026-03-01T00:20:00Z' }),
    ].map((job) => summarizeOutcome(job, { provider: 'alibaba', now: NOW }));

    // Act
    const batch = batchOutcomes(summaries);

    // Assess
    expect(batch.counts).toEqual({ available: 1, failed: 1, timed_out: 1, cancelled: 0, pruned: 0 });
    expect(batch.items.map((item) => item.jobId)).toEqual(['rj-a', 'rj-b', 'rj-c']);
    expect(batch.omitted).toBe(0);
  });

  it('keeps failures before successes when it must leave some out', () => {
    // Prepare
    const summaries = Array.from({ length: MAX_BATCH_ITEMS + 10 }, (_, i) =>
      summarizeOutcome(finishedJob({ outcome: i % 20 === 19 ? 'failed' : 'available', id: `rj-${String(i).padStart(3, '0')}`, createdAt: new Date(Date.UTC(2026, 2, 1, 0, i)).toISOString() }), { provider: 'alibaba', now: NOW }),
    );

    // Act
    const batch = batchOutcomes(summaries);

    // Assess
    expect(batch.items).toHaveLength(MAX_BATCH_ITEMS);
    expect(batch.omitted).toBe(10);
    expect(batch.items.filter((item) => item.outcome === 'failed')).toHaveLength(3);
    expect(batch.counts.available + batch.counts.failed).toBe(MAX_BATCH_ITEMS + 10);
  });
});
