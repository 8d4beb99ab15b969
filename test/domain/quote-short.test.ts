import { describe, expect, it } from 'vitest';
import { quoteShort } from '../../shared/core/domain/region';

describe('quoting a value from outside for a message', () => {
  it.each([
    ['a line break', 'lt-1\nINFO copy deleted', '"lt-1?INFO copy deleted"'],
    ['a line separator', 'lt-1\u2028INFO copy deleted', '"lt-1?INFO copy deleted"'],
    ['a right-to-left override', 'lt-\u202eevil', '"lt-?evil"'],
    ['a zero-width joiner', 'lt-\u200dx', '"lt-?x"'],
    ['an escape sequence', 'lt-\u001b[31mred', '"lt-?[31mred"'],
  ])('replaces %s, so the value cannot forge or reorder what is shown', (_name, value, quoted) => {
    // Act
    const text = quoteShort(value);

    // Assess
    expect(text).toBe(quoted);
  });

  it('keeps ordinary text, other scripts included, and cuts a long value', () => {
    // Act
    const texts = [quoteShort('golden-web 金色'), quoteShort('x'.repeat(100), 10)];

    // Assess
    expect(texts).toEqual(['"golden-web 金色"', `"${'x'.repeat(10)}…"`]);
  });
});
