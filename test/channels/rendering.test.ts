import { describe, expect, it } from 'vitest';
import { channelFor } from '../../shared/channels/index';
import { ConfigError } from '../../shared/core/domain/errors';
import { buildDigest } from '../../shared/core/notifications/digest';
import { batchOutcomes } from '../../shared/core/notifications/message';
import { finishedJob } from '../notifications/finished-jobs';
import { KINDS, NOW, STATUS_PAGE, summaryOf, URLS, visibleText } from './fixtures';

/** Markup a hostile image name or error message could try to smuggle into each platform. */
const HOSTILE = '**bold** _it_ ~x~ `code` [click](https://evil.example) <font color=red>x</font> <!channel> <@U123> <at id=all></at> # head > quote | a | &lt; www.evil.example';

/** Links each format would draw: markdown links, Slack's <url|text>, Feishu's button URLs. */
const links = (kind: (typeof KINDS)[number], request: { body: string }, text: string): string[] => {
  switch (kind) {
    case 'slack':
      return [...text.matchAll(/<(https?:[^|>]*)\|/g)].map((m) => m[1]!);
    case 'feishu':
      return [...request.body.matchAll(/"url":"([^"]*)"/g)].map((m) => m[1]!);
    default:
      return [...text.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1]!);
  }
};

describe.each(KINDS)('%s rendering', (kind) => {
  const channel = channelFor(kind);

  it('shows image, regions, outcome, copy id and time taken of a finished copy', () => {
    // Prepare
    const summary = summaryOf({ outcome: 'available', queuedSeconds: 600, copySeconds: 3000, sizeGiB: 40 });

    // Act
    const text = visibleText(kind, channel.render(summary, { url: URLS[kind], now: NOW }));

    // Assess
    for (const expected of ['Copy available', 'golden-ubuntu-22', 'm-bp1golden0001', 'cn-hangzhou', 'cn-shanghai', 'alibaba', 'm-uf6copy0001', '1 h 00 min', 'copying 50 min', '40 GiB', '2026-03-01 01:00 UTC']) {
      expect(text).toContain(expected);
    }
  });

  it('shows a failure’s outcome, error code and message', () => {
    // Prepare
    const summary = summaryOf({ outcome: 'failed', error: { code: 'QuotaExceeded.Snapshot', message: 'snapshot quota reached in cn-shanghai' } });

    // Act
    const text = visibleText(kind, channel.render(summary, { url: URLS[kind], now: NOW }));

    // Assess
    expect(text).toContain('Copy failed');
    expect(text).toContain('QuotaExceeded.Snapshot');
    expect(text).toContain('snapshot quota reached in cn');
  });

  it('tells a copy deleted by retention as such, not as a failure, and names what the provider kept', () => {
    // Prepare
    const clean = summaryOf({ outcome: 'pruned' });
    const leaving = summaryOf({ outcome: 'pruned', leftBehind: [{ id: 's-bp1data0001', why: 'SnapshotCreatedDisk' }] });

    // Act
    const [cleanText, leavingText] = [clean, leaving].map((summary) => visibleText(kind, channel.render(summary, { url: URLS[kind], now: NOW })));

    // Assess
    expect(cleanText).toContain('Copy deleted by retention');
    expect(cleanText).toContain('Kept for');
    expect(cleanText).not.toMatch(/failed|Error|Took|attempts/);
    expect(leavingText).toContain('Copy deleted by retention');
    expect(leavingText).toContain('LeftBehind');
    expect(leavingText).toContain('s-bp1data0001');
  });

  it('lets no job text become markup, a mention or a link; only the status page is linked', () => {
    // Prepare
    const summary = summaryOf({ outcome: 'failed', imageName: HOSTILE, error: { code: 'E', message: HOSTILE } }, STATUS_PAGE);

    // Act
    const request = channel.render(summary, { url: URLS[kind], now: NOW });
    const text = visibleText(kind, request);

    // Assess
    expect(links(kind, request, text)).toEqual([`${STATUS_PAGE}?job=rj-0001`]);
    expect(text).not.toMatch(/https?:\/\/evil|www\.evil/);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U123>');
    expect(text).not.toContain('<at id=all>');
    if (kind === 'dingtalk' || kind === 'wecom') {
      // Every markup character from the job was replaced; what remains is ours.
      expect(text).not.toMatch(/\*\*bold|_it_|~x~|`code`|\[click\]|<font color=red>|<at |&lt;/);
      expect(text.match(/<font/g)?.length ?? 0).toBe(text.match(/<\/font>/g)?.length ?? 0);
    }
    if (kind === 'slack') {
      const body = JSON.parse(request.body);
      expect(body.text).not.toMatch(/[<>*_~`]/);
      const mrkdwn = JSON.stringify(body.blocks).match(/"type":"mrkdwn"/g) ?? [];
      expect(mrkdwn).toHaveLength(1);
    }
    if (kind === 'feishu') {
      expect(request.body).not.toMatch(/lark_md|"tag":"markdown"/);
    }
  });

  it('tells a batch of outcomes with counts and one line per copy', () => {
    // Prepare
    const batch = batchOutcomes([
      summaryOf({ outcome: 'available', id: 'rj-1', imageName: 'img-a' }),
      summaryOf({ outcome: 'failed', id: 'rj-2', imageName: 'img-b', error: { code: 'CopyFailed', message: 'x' } }),
    ]);

    // Act
    const text = visibleText(kind, channel.render(batch, { url: URLS[kind], now: NOW }));

    // Assess
    expect(text).toContain('2 copies finished, 1 failed');
    expect(text).toMatch(/img-a → cn-shanghai · m-uf6copy0001/);
    expect(text).toMatch(/img-b → cn-shanghai · CopyFailed/);
  });

  it('tells a digest: counts, storage per region, the slowest copies and failures', () => {
    // Prepare
    const window = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') };
    const jobs = [
      finishedJob({ outcome: 'available', id: 'a1', createdAt: '2026-03-01T01:00:00Z', sizeGiB: 20, copySeconds: 5400 }),
      finishedJob({ outcome: 'available', id: 'a2', createdAt: '2026-03-01T02:00:00Z', sizeGiB: 30, destinationRegion: 'cn-beijing' }),
      finishedJob({ outcome: 'timed_out', id: 't1', createdAt: '2026-03-01T03:00:00Z' }),
      finishedJob({ outcome: 'pruned', id: 'p1', createdAt: '2026-02-27T00:00:00Z', keptSeconds: 2 * 86_400, sizeGiB: 20 }),
      finishedJob({ outcome: 'pruned', id: 'p2', createdAt: '2026-02-27T00:00:00Z', keptSeconds: 2 * 86_400, sizeGiB: 50, leftBehind: [{ id: 's-1', why: 'SnapshotCreatedDisk' }] }),
    ];
    const digest = buildDigest({ policy: 'golden', webhook: 'ops', window, jobs });

    // Act
    const text = visibleText(kind, channel.render(digest, { url: URLS[kind], now: NOW }));

    // Assess
    for (const expected of ['Replication digest', 'golden', 'Copies made: 2', 'Failed: 1 (1 timed out)', 'Pruned: 2 (20 GiB freed, 1 with parts the provider kept, still billed)', 'Storage added: 50 GiB', 'cn-beijing: 30 GiB in 1 copy', '1 h 30 min', 'CopyTimedOut']) {
      expect(text.replace(/[*>]|\*\*/g, '').replace(/ {2,}/g, ' ')).toContain(expected);
    }
  });

  it('refuses a URL of another shape without quoting it', () => {
    // Prepare
    const foreign = kind === 'slack' ? URLS.wecom : URLS.slack;

    // Act
    const render = () => channel.render(summaryOf({ outcome: 'available' }), { url: foreign, now: NOW });

    // Assess
    expect(render).toThrow(ConfigError);
    expect(render).not.toThrow(/XXXXXXXX|693a91f6/);
  });

  it('is registered under its kind with the platform’s limits', () => {
    // Prepare
    // Act
    const { limits } = channel;

    // Assess
    expect(channel.kind).toBe(kind);
    expect(limits.perMinute).toBe({ dingtalk: 20, feishu: 100, wecom: 20, slack: 60 }[kind]);
    expect(limits.maxBytes).toBe({ dingtalk: 16_000, feishu: 20_000, wecom: 4096, slack: 16_000 }[kind]);
  });
});
