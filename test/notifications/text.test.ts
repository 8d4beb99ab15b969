import { describe, expect, it } from 'vitest';
import { boundedLine, clipBytes, clipChars, graphemes, utf8Bytes } from '../../shared/core/notifications/text';

/** Well-formed UTF-16 survives a strict UTF-8 round trip; a split surrogate pair does not. */
const isWellFormed = (text: string): boolean => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(text)) === text && !text.includes('\ufffd');
  } catch {
    return false;
  }
};

describe('bounded text', () => {
  it('makes one inert line: controls, bidi overrides and zero-width characters removed, newlines collapsed', () => {
    // Prepare
    const raw = 'golden\u202e\u2066-1\u0000\u0007\r\n\tsecond   line\u200b\ufeff';

    // Act
    const line = boundedLine(raw, 256);

    // Assess
    expect(line).toBe('golden-1 second line');
  });

  it('defuses links so no chat client turns job text into one', () => {
    // Prepare
    const raw = 'see https://evil.example/login or WWW.evil.example';

    // Act
    const line = boundedLine(raw, 256);

    // Assess
    expect(line).not.toMatch(/:\/\//);
    expect(line).not.toMatch(/www\./i);
    expect(line).toContain('evil.example/login');
  });

  it.each([
    ['CJK', '镜像复制失败'.repeat(400)],
    ['emoji with joiners', '👩‍👩‍👧‍👦🏳️‍🌈'.repeat(300)],
    ['combining marks', 'e\u0301'.repeat(2000)],
    ['flags', '🇨🇳🇯🇵🇺🇸'.repeat(500)],
    ['mixed', 'ab镜😀c\u0301'.repeat(700)],
  ])('cuts %s text on a grapheme boundary within the byte budget, and says so', (_name, raw) => {
    for (const budget of [3, 4, 5, 7, 50, 101, 1000, 4096]) {
      // Act
      const clipped = clipBytes(raw, budget);

      // Assess
      expect(utf8Bytes(clipped)).toBeLessThanOrEqual(budget);
      expect(isWellFormed(clipped)).toBe(true);
      expect(clipped.endsWith('…')).toBe(true);
      const kept = graphemes(clipped.slice(0, -1));
      expect(graphemes(raw).slice(0, kept.length)).toEqual(kept);
    }
  });

  it('cuts by UTF-16 units for character-counted limits without splitting a pair', () => {
    // Prepare
    const raw = '😀'.repeat(200);

    // Act
    const clipped = clipChars(raw, 150);

    // Assess
    expect(clipped.length).toBeLessThanOrEqual(150);
    expect(isWellFormed(clipped)).toBe(true);
  });

  it('bounds a 10 MB provider message quickly and marks the cut', () => {
    // Prepare
    const raw = 'x'.repeat(10 * 1024 * 1024);
    const started = performance.now();

    // Act
    const line = boundedLine(raw, 2048);

    // Assess
    expect(utf8Bytes(line)).toBeLessThanOrEqual(2048);
    expect(line.endsWith('…')).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('marks a cut even when cleaning made the kept prefix short', () => {
    // Prepare: the prefix read is mostly invisible characters, the rest is dropped unseen.
    const raw = `ab${'\u200b'.repeat(5000)}cd`;

    // Act
    const line = boundedLine(raw, 100);

    // Assess
    expect(line).toBe('ab…');
  });

  it('shows nothing of objects and replaces lone surrogates', () => {
    // Prepare
    const values: unknown[] = [{ toString: () => 'secret' }, undefined, null, 42, 'a\ud800b'];

    // Act
    const lines = values.map((value) => boundedLine(value, 64));

    // Assess
    expect(lines).toEqual(['', '', '', '42', 'a\ufffdb']);
  });
});
