import { describe, expect, it } from 'vitest';
import { createMemoryPlanHints } from '../../shared/stores/memory/memory-plan-hints';

describe('plan hints kept in memory', () => {
  it('answers nothing before a pass wrote, then the last order written', () => {
    // Prepare
    const hints = createMemoryPlanHints();
    const before = hints.read();
    // Act
    hints.write(['a', 'b']);
    hints.write(['c', 'a']);
    // Assess
    expect(before).toBeUndefined();
    expect(hints.read()).toEqual(['c', 'a']);
  });

  it('keeps at most 2,000 ids, and a copy of them: the caller’s array may change', () => {
    // Prepare
    const hints = createMemoryPlanHints();
    const order = Array.from({ length: 2_500 }, (_, i) => `job-${i}`);
    // Act
    hints.write(order);
    order[0] = 'changed';
    // Assess
    expect(hints.read()).toHaveLength(2_000);
    expect(hints.read()?.[0]).toBe('job-0');
  });
});
