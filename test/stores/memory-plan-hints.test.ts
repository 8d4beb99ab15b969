import { describe, expect, it } from 'vitest';
import { createMemoryPlanHints } from '../../shared/stores/memory/memory-plan-hints';

describe('plan hints kept in memory', () => {
  it('answers nothing before a pass wrote, then the last order written under the same key', () => {
    // Prepare
    const hints = createMemoryPlanHints();
    const before = hints.read('all');
    // Act
    hints.write('all', ['a', 'b']);
    hints.write('all', ['c', 'a']);
    hints.write('alibaba/default/cn-beijing', ['x']);
    // Assess: a pass over other regions keeps its own order
    expect(before).toBeUndefined();
    expect(hints.read('all')).toEqual(['c', 'a']);
    expect(hints.read('alibaba/default/cn-beijing')).toEqual(['x']);
  });

  it('keeps at most 2,000 ids, and a copy of them: the caller’s array may change', () => {
    // Prepare
    const hints = createMemoryPlanHints();
    const order = Array.from({ length: 2_500 }, (_, i) => `job-${i}`);
    // Act
    hints.write('all', order);
    order[0] = 'changed';
    // Assess
    expect(hints.read('all')).toHaveLength(2_000);
    expect(hints.read('all')?.[0]).toBe('job-0');
  });

  it('keeps the 16 keys written last', () => {
    // Prepare
    const hints = createMemoryPlanHints();
    // Act: key 0 is written again after the others, so key 1 is the oldest when 17 are written
    for (let i = 0; i < 16; i += 1) hints.write(`k${i}`, [`${i}`]);
    hints.write('k0', ['again']);
    hints.write('k16', ['16']);
    // Assess
    expect(hints.read('k1')).toBeUndefined();
    expect(hints.read('k0')).toEqual(['again']);
    expect(hints.read('k16')).toEqual(['16']);
  });
});
