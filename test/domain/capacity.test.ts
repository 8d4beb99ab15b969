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
});
