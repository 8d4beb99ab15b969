import { describe, expect, it } from 'vitest';
import { CapacityLedger } from '../../shared/core/domain/capacity';

const region = { key: 'region/cn-hangzhou', limit: 2 };
const image = (id: string) => ({ key: `image/${id}`, limit: 1 });
const now = new Date('2026-03-01T00:00:00Z');
const inMinutes = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

describe('capacity ledger', () => {
  it('says a slot with room is free now', () => {
    const ledger = new CapacityLedger();
    ledger.take([region, image('a')], inMinutes(30));
    expect(ledger.freeAt([region, image('b')], now, 3600)).toEqual(now);
  });

  it('says a full slot frees when the first of its copies is expected to end', () => {
    // Prepare
    const ledger = new CapacityLedger();
    ledger.take([region, image('a')], inMinutes(50));
    ledger.take([region, image('b')], inMinutes(20));
    // Act / Assess
    expect(ledger.freeAt([region, image('c')], now, 3600)).toEqual(inMinutes(20));
  });

  it('waits for the latest of the full slots a copy needs', () => {
    // Prepare: the region frees in 20 min, the image's own slot in 40
    const ledger = new CapacityLedger();
    ledger.take([region, image('a')], inMinutes(40));
    ledger.take([region, image('b')], inMinutes(20));
    // Act / Assess
    expect(ledger.freeAt([region, image('a')], now, 3600)).toEqual(inMinutes(40));
  });

  it('assumes the given delay for a copy whose end nobody can say, and for a slot the provider said is busy', () => {
    // Prepare
    const ledger = new CapacityLedger();
    ledger.take([region, image('a')]);
    ledger.take([region, image('b')]);
    const blocked = new CapacityLedger();
    blocked.block([image('z')]);
    // Act / Assess
    expect(ledger.freeAt([region], now, 600)).toEqual(inMinutes(10));
    expect(blocked.freeAt([image('z')], now, 600)).toEqual(inMinutes(10));
  });

  it('forgets the end of the claim released, not another one', () => {
    // Prepare: X ends in 180 min, Y in 10; X is released, Z taken
    const ledger = new CapacityLedger();
    ledger.take([region], inMinutes(180));
    ledger.take([region], inMinutes(10));
    // Act
    ledger.release([region], inMinutes(180));
    ledger.take([region], inMinutes(60));
    // Assess: Y's end frees the region first
    expect(ledger.fits([region])).toBe(false);
    expect(ledger.freeAt([region], now, 3600)).toEqual(inMinutes(10));
  });

  it('counts from the right end when a slot is over its limit (a limit lowered meanwhile)', () => {
    // Prepare: three copies in a slot of two
    const ledger = new CapacityLedger();
    for (const minutes of [30, 10, 20]) ledger.take([region], inMinutes(minutes));
    // Act / Assess: two must end before one place is free
    expect(ledger.freeAt([region], now, 3600)).toEqual(inMinutes(20));
  });

  it('tells until when each slot is held, one entry per copy: an unknown end, a past one and a busy slot read as a schedule needs them', () => {
    // Prepare: a copy ending in 20 min, one past its end, one nobody can say; the provider said image c is busy
    const ledger = new CapacityLedger(1);
    ledger.take([region, image('a')], inMinutes(20));
    ledger.take([region], inMinutes(-5));
    ledger.take([region]);
    ledger.block([{ key: 'image/c', limit: 3 }]);
    // Act
    const taken = ledger.takenUntil(now, 3600);
    // Assess: the past end is now, the unknown one an hour on; the busy slot is full (its limit, capped to 1) for that hour
    expect(taken.get(region.key)).toEqual([inMinutes(20).getTime(), now.getTime(), inMinutes(60).getTime()]);
    expect(taken.get('image/a')).toEqual([inMinutes(20).getTime()]);
    expect(taken.get('image/c')).toEqual([inMinutes(60).getTime()]);
  });
});
