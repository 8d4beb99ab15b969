import { describe, expect, it } from 'vitest';
import { z as classic } from 'zod';
import * as z from '../../shared/core/zod';

/** Issues as a caller sees them: code, path and message. */
const issuesOf = (result: { success: boolean; error?: { issues: ReadonlyArray<{ code: string; path: PropertyKey[]; message: string }> } }) =>
  (result.error?.issues ?? []).map(({ code, path, message }) => ({ code, path, message }));

describe('the bundles’ schema library', () => {
  it('parses objects through zod’s compiled path, strict, loose and extended ones too', () => {
    // Prepare
    const plain = z.object({ a: z.string() });
    const schemas = [plain, z.strictObject({ a: z.string() }), z.looseObject({ a: z.string() }), z.extend(plain, { b: z.number() })];
    // Act
    const compiled = schemas.map((schema) => schema._zod.traits.has('$ZodObjectJIT'));
    // Assess
    expect(compiled).toEqual([true, true, true, true]);
    expect(Object.keys(plain.shape)).toEqual(['a']);
  });

  it('answers as classic zod does: output, issues, English messages and the error’s name', () => {
    // Prepare: the same shape in both libraries
    const mini = z.strictObject({ id: z.string().check(z.minLength(2)), size: z.optional(z.number().check(z.int(), z.positive())), tags: z._default(z.array(z.string()), []) });
    const reference = classic.strictObject({ id: classic.string().min(2), size: classic.number().int().positive().optional(), tags: classic.array(classic.string()).default([]) });
    const inputs: unknown[] = [{ id: 'ab' }, { id: 'a', size: -1.5 }, { id: 'ab', extra: true }, { id: 7, tags: [1] }, null, 'text'];
    for (const input of inputs) {
      // Act
      const [mine, theirs] = [z.safeParse(mini, input), reference.safeParse(input)];
      // Assess
      expect(mine.success).toBe(theirs.success);
      expect(mine.data).toEqual(theirs.data);
      expect(issuesOf(mine)).toEqual(issuesOf(theirs));
      if (!mine.success) expect(mine.error.name).toBe('ZodError');
    }
  });
});
