import { describe, expect, it } from 'vitest';
import { matchesNamePattern, namePatternProblem } from '../../shared/core/domain/name-pattern';

describe('name patterns (RE2, linear time)', () => {
  it('matches like a regular expression search, anchors as written', () => {
    // Act
    const results = [matchesNamePattern('^golden-', 'golden-web'), matchesNamePattern('web', 'golden-web'), matchesNamePattern('^web', 'golden-web')];
    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it('answers at once for a pattern and name that make a backtracking engine run for ever', () => {
    // Prepare: with JavaScript's RegExp this input takes longer than the age of the universe.
    const crafted = `${'a'.repeat(50_000)}!`;
    // Act
    const matched = matchesNamePattern('^([a-z0-9]+-?)+$', crafted);
    // Assess
    expect(matched).toBe(false);
  });

  it('refuses look-around and back-references with the reason', () => {
    // Act
    const problems = [namePatternProblem('^(?=golden)'), namePatternProblem('(a)\\1'), namePatternProblem('^golden-[a-z]+$')];
    // Assess
    expect(problems[0]).toMatch(/invalid or unsupported Perl syntax/);
    expect(problems[1]).toMatch(/escape/);
    expect(problems[2]).toBeUndefined();
  });
});
