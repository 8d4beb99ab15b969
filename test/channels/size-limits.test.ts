import { describe, expect, it } from 'vitest';
import { channelFor } from '../../shared/channels/index';
import { WECOM_MAX_MARKDOWN_BYTES, wecomChannel } from '../../shared/channels/wecom';
import { buildDigest } from '../../shared/core/notifications/digest';
import { batchOutcomes } from '../../shared/core/notifications/message';
import { utf8Bytes } from '../../shared/core/notifications/text';
import { finishedJob } from '../notifications/finished-jobs';
import { KINDS, NOW, STATUS_PAGE, summaryOf, URLS } from './fixtures';

const isWellFormed = (text: string): boolean => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(text)) === text && !text.includes('\ufffd');
  } catch {
    return false;
  }
};

const wecomContent = (body: string): string => JSON.parse(body).markdown.content;

/** Our markup is balanced: every <font> closed, bold marks paired, nothing cut in half. */
const expectBalancedMarkdown = (content: string) => {
  expect(content.match(/<font color="[a-z]+">/g)?.length ?? 0).toBe(content.match(/<\/font>/g)?.length ?? 0);
  for (const line of content.split('\n')) expect((line.match(/\*\*/g)?.length ?? 0) % 2).toBe(0);
};

const ALPHABETS = {
  ascii: 'Copy failed because the snapshot chain is broken. ',
  chinese: '镜像复制失败：快照链已损坏，请联系管理员。',
  emoji: '🔥👩‍💻🏳️‍🌈 ',
  markup: '**[x](y)** <font>&amp; _a_ ',
};

describe('WeCom size limit', () => {
  it('keeps a 10 KB error message within 4,096 bytes, cut on a character boundary, markup intact', () => {
    // Prepare
    const message = ALPHABETS.chinese.repeat(200).slice(0, 10 * 1024);
    const summary = summaryOf({ outcome: 'failed', error: { code: 'InvalidSnapshot.Malformed', message } }, STATUS_PAGE);

    // Act
    const request = wecomChannel.render(summary, { url: URLS.wecom, now: NOW });

    // Assess
    const content = wecomContent(request.body);
    expect(utf8Bytes(content)).toBeLessThanOrEqual(WECOM_MAX_MARKDOWN_BYTES);
    expect(utf8Bytes(content)).toBeGreaterThan(WECOM_MAX_MARKDOWN_BYTES - 64);
    expect(isWellFormed(content)).toBe(true);
    expectBalancedMarkdown(content);
    expect(content).toContain('InvalidSnapshot.Malformed');
    expect(content).toContain('golden-ubuntu-22');
    expect(content).toMatch(/镜像复制失败.*…\n/);
    expect(content).toContain(`](${STATUS_PAGE}?job=rj-0001)`);
  });

  it.each(Object.entries(ALPHABETS))('stays within its limit for %s error messages of any length', (_name, unit) => {
    for (const length of [0, 1, 100, 1000, 1500, 2047, 2048, 3000, 4000, 10_000]) {
      // Prepare
      const message = Array.from(unit.repeat(length + 1)).slice(0, length).join('');
      const summary = summaryOf({ outcome: 'failed', imageName: unit.repeat(20), error: { code: 'E'.repeat(200), message } });

      // Act
      const content = wecomContent(wecomChannel.render(summary, { url: URLS.wecom, now: NOW }).body);

      // Assess
      expect(utf8Bytes(content)).toBeLessThanOrEqual(WECOM_MAX_MARKDOWN_BYTES);
      expect(isWellFormed(content)).toBe(true);
      expectBalancedMarkdown(content);
    }
  });

  it('fits a digest of many regions and failures by listing fewer and saying how many more', () => {
    // Prepare
    const window = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') };
    const jobs = Array.from({ length: 120 }, (_, i) =>
      finishedJob({
        outcome: i % 3 === 0 ? 'failed' : 'available',
        id: `rj-${i}`,
        imageName: `镜像-${'长'.repeat(60)}-${i}`,
        destinationRegion: `cn-region-${i % 60}`,
        sizeGiB: 10 + i,
        createdAt: new Date(window.from.getTime() + i * 60_000).toISOString(),
        error: { code: `Error.${'X'.repeat(100)}`, message: 'x' },
      }),
    );
    const digest = buildDigest({ policy: 'golden', webhook: 'ops', window, jobs });

    // Act
    const content = wecomContent(wecomChannel.render(digest, { url: URLS.wecom, now: NOW }).body);

    // Assess
    expect(utf8Bytes(content)).toBeLessThanOrEqual(WECOM_MAX_MARKDOWN_BYTES);
    expect(content).toContain('Copies made:** 80');
    expect(content).toMatch(/… and \d+ more/);
    expectBalancedMarkdown(content);
  });
});

describe.each(KINDS)('%s size limit', (kind) => {
  const channel = channelFor(kind);

  it('keeps a huge outcome, batch and digest within the platform limit', () => {
    // Prepare
    const huge = `${ALPHABETS.emoji}${ALPHABETS.chinese}${ALPHABETS.markup}`.repeat(2000);
    const summaries = Array.from({ length: 60 }, (_, i) => summaryOf({ outcome: 'failed', id: `rj-${i}`, imageName: huge, error: { code: huge, message: huge } }, STATUS_PAGE));
    const window = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') };
    const digest = buildDigest({
      policy: 'golden',
      webhook: 'ops',
      window,
      jobs: Array.from({ length: 80 }, (_, i) => finishedJob({ outcome: i % 2 === 0 ? 'timed_out' : 'available', id: `rj-${i}`, imageName: huge, destinationRegion: `r-${i}-${huge}`, createdAt: '2026-03-01T01:00:00Z' })),
    });

    for (const message of [summaries[0]!, batchOutcomes(summaries), digest]) {
      // Act
      const request = channel.render(message, { url: URLS[kind], secret: 'a-signing-secret', now: NOW });

      // Assess
      const measured = kind === 'wecom' ? wecomContent(request.body) : request.body;
      expect(utf8Bytes(measured)).toBeLessThanOrEqual(channel.limits.maxBytes);
      expect(isWellFormed(request.body)).toBe(true);
      expect(() => JSON.parse(request.body)).not.toThrow();
    }
  });
});

describe('Slack block limits', () => {
  it('keeps the header within 150 characters and every section within 3,000', () => {
    // Prepare
    const huge = '😀'.repeat(5000);
    const summary = summaryOf({ outcome: 'failed', imageName: huge, error: { code: 'E', message: huge } });

    // Act
    const body = JSON.parse(channelFor('slack').render(summary, { url: URLS.slack, now: NOW }).body);

    // Assess
    expect(body.blocks[0].text.text.length).toBeLessThanOrEqual(150);
    for (const block of body.blocks.filter((b: { type: string }) => b.type === 'section')) {
      if (block.text !== undefined) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
      expect((block.fields ?? []).length).toBeLessThanOrEqual(10);
    }
    expect(isWellFormed(body.blocks[0].text.text)).toBe(true);
  });
});
