import { describe, expect, it } from 'vitest';
import {
  CHAT_RATE_LIMITS,
  EMPTY_HISTORY,
  MINUTE_WINDOW_MS,
  mayGoNow,
  nextSlot,
  planBacklog,
  type RateLimits,
  recordSent,
  recordThrottled,
  type SendHistory,
} from '../../shared/core/notifications/rate-budget';

const T0 = Date.parse('2026-03-01T08:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

const sendAll = (limits: RateLimits, times: readonly number[]): SendHistory =>
  times.reduce((history, time) => recordSent(limits, history, at(time)), EMPTY_HISTORY);

/** The largest number of sends inside any window of `windowMs` (a send ages out at +windowMs). */
const maxInWindow = (times: readonly number[], windowMs: number): number =>
  Math.max(0, ...times.map((start) => times.filter((time) => time >= start && time < start + windowMs).length));

describe('rate budget', () => {
  it('matches the documented platform limits', () => {
    // Prepare
    // Act
    const limits = CHAT_RATE_LIMITS;

    // Assess
    expect(limits).toEqual({
      dingtalk: { perMinute: 20, penaltySeconds: 600 },
      wecom: { perMinute: 20 },
      feishu: { perMinute: 100, perSecond: 5 },
      slack: { perMinute: 60, perSecond: 1 },
    });
  });

  it('holds DingTalk’s 21st message in a minute until the first one has aged out', () => {
    // Prepare: twenty messages, one a second.
    const limits = CHAT_RATE_LIMITS.dingtalk;
    const history = sendAll(limits, Array.from({ length: 20 }, (_, i) => i * 1000));

    // Act
    const mayAt30s = mayGoNow(limits, history, at(30_000));
    const slot = nextSlot(limits, history, at(30_000));

    // Assess
    expect(mayAt30s).toBe(false);
    expect(slot).toEqual(at(MINUTE_WINDOW_MS));
    expect(mayGoNow(limits, history, at(MINUTE_WINDOW_MS - 1))).toBe(false);
    expect(mayGoNow(limits, history, at(MINUTE_WINDOW_MS))).toBe(true);
  });

  it('lets the twentieth DingTalk message go', () => {
    // Prepare
    const limits = CHAT_RATE_LIMITS.dingtalk;
    const history = sendAll(limits, Array.from({ length: 19 }, (_, i) => i * 1000));

    // Act
    const may = mayGoNow(limits, history, at(19_000));

    // Assess
    expect(may).toBe(true);
  });

  it('starts DingTalk’s ten-minute silence when the limit is broken anyway', () => {
    // Prepare
    const limits = CHAT_RATE_LIMITS.dingtalk;

    // Act
    const history = sendAll(limits, Array.from({ length: 21 }, (_, i) => i * 100));

    // Assess
    expect(history.blockedUntilMs).toBe(T0 + 2000 + 600_000);
    expect(nextSlot(limits, history, at(70_000))).toEqual(at(602_000));
  });

  it('holds a webhook the platform throttled for its Retry-After, its penalty or a minute', () => {
    // Prepare
    const now = at(5000);

    // Act
    const slots = [
      nextSlot(CHAT_RATE_LIMITS.slack, recordThrottled(CHAT_RATE_LIMITS.slack, EMPTY_HISTORY, now, 30), now),
      nextSlot(CHAT_RATE_LIMITS.dingtalk, recordThrottled(CHAT_RATE_LIMITS.dingtalk, EMPTY_HISTORY, now), now),
      nextSlot(CHAT_RATE_LIMITS.wecom, recordThrottled(CHAT_RATE_LIMITS.wecom, EMPTY_HISTORY, now), now),
    ];

    // Assess
    expect(slots).toEqual([at(35_000), at(605_000), at(65_000)]);
  });

  it('keeps Feishu within five a second and a hundred a minute', () => {
    // Prepare
    const limits = CHAT_RATE_LIMITS.feishu;
    const fiveNow = sendAll(limits, [0, 10, 20, 30, 40]);
    const hundred = sendAll(limits, Array.from({ length: 100 }, (_, i) => i * 500));

    // Act
    const sixth = nextSlot(limits, fiveNow, at(50));
    const hundredFirst = nextSlot(limits, hundred, at(50_000));

    // Assess
    expect(sixth).toEqual(at(1100));
    expect(hundredFirst).toEqual(at(MINUTE_WINDOW_MS));
  });

  it('spaces Slack messages a second apart', () => {
    // Prepare
    const limits = CHAT_RATE_LIMITS.slack;
    const history = sendAll(limits, [0]);

    // Act
    const slot = nextSlot(limits, history, at(200));

    // Assess
    expect(slot).toEqual(at(1100));
  });

  it('forgets sends older than the window', () => {
    // Prepare
    const limits = CHAT_RATE_LIMITS.wecom;

    // Act
    const history = sendAll(limits, [0, 1000, 2000, 120_000]);

    // Assess
    expect(history.sentAtMs).toEqual([T0 + 120_000]);
  });
});

describe('backlog plan', () => {
  it('sends pending messages one by one while the minute has room for all of them', () => {
    // Prepare
    const limits = CHAT_RATE_LIMITS.feishu;

    // Act
    const plans = [planBacklog(limits, EMPTY_HISTORY, at(0), 0), planBacklog(limits, EMPTY_HISTORY, at(0), 3), planBacklog(limits, EMPTY_HISTORY, at(0), 8)];

    // Assess
    expect(plans).toEqual([{ kind: 'idle' }, { kind: 'send', count: 3 }, { kind: 'send', count: 5 }]);
  });

  it('batches a backlog the minute has no room for into one message', () => {
    // Prepare
    const limits = CHAT_RATE_LIMITS.dingtalk;
    const history = sendAll(limits, Array.from({ length: 15 }, (_, i) => i * 1000));

    // Act
    const plan = planBacklog(limits, history, at(20_000), 6);

    // Assess
    expect(plan).toEqual({ kind: 'batch', count: 6 });
  });

  it('tells a burst of 40 DingTalk outcomes arriving at once in a single message', () => {
    // Prepare
    const limits = CHAT_RATE_LIMITS.dingtalk;

    // Act
    const plan = planBacklog(limits, EMPTY_HISTORY, at(0), 40);

    // Assess
    expect(plan).toEqual({ kind: 'batch', count: 40 });
  });

  it('waits for the next slot when nothing may go now', () => {
    // Prepare
    const limits = CHAT_RATE_LIMITS.wecom;
    const history = sendAll(limits, Array.from({ length: 20 }, (_, i) => i * 1000));

    // Act
    const plan = planBacklog(limits, history, at(25_000), 4);

    // Assess
    expect(plan).toEqual({ kind: 'wait', until: at(MINUTE_WINDOW_MS) });
  });

  it.each(['dingtalk', 'wecom', 'feishu', 'slack'] as const)('turns a burst of 40 %s outcomes into messages within budget, each outcome told once', (kind) => {
    // Prepare: forty outcomes, one every half second, driven by a hand-moved clock (100 ms ticks).
    const limits = CHAT_RATE_LIMITS[kind];
    const arrivalAt = (outcome: number) => outcome * 500;
    let history = EMPTY_HISTORY;
    const pending: number[] = [];
    const messages: { at: number; outcomes: number[] }[] = [];

    // Act
    for (let now = 0, next = 0; now <= 30 * 60_000 && (next < 40 || pending.length > 0); now += 100) {
      while (next < 40 && arrivalAt(next) <= now) pending.push(next++);
      const plan = planBacklog(limits, history, at(now), pending.length);
      if (plan.kind === 'send') {
        for (const outcome of pending.splice(0, plan.count)) {
          messages.push({ at: now, outcomes: [outcome] });
          history = recordSent(limits, history, at(now));
        }
      } else if (plan.kind === 'batch') {
        messages.push({ at: now, outcomes: pending.splice(0, plan.count) });
        history = recordSent(limits, history, at(now));
      }
    }

    // Assess
    const told = messages.flatMap((message) => message.outcomes).sort((a, b) => a - b);
    const times = messages.map((message) => message.at);
    expect(told).toEqual(Array.from({ length: 40 }, (_, index) => index));
    expect(maxInWindow(times, 60_000)).toBeLessThanOrEqual(limits.perMinute);
    if ('perSecond' in limits) expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(limits.perSecond);
    expect(history.blockedUntilMs).toBeUndefined();
    if (limits.perMinute < 40) {
      expect(messages.length).toBeLessThan(40);
      expect(messages.some((message) => message.outcomes.length > 1)).toBe(true);
    }
  });
});
