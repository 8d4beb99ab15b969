import { describe, expect, it } from 'vitest';
import { ScaledSimClock } from '../../sim/sim-clock';

describe('ScaledSimClock', () => {
  it('runs virtual time speed times faster than the wall clock', () => {
    // Prepare
    let wall = 1_000;
    const clock = new ScaledSimClock(600, new Date('2026-11-20T00:00:00Z'), () => wall);

    // Act
    wall += 10_000;

    // Assess
    expect(clock.now().toISOString()).toBe('2026-11-20T01:40:00.000Z');
  });
});
