import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnchorError, applyPatch, MUTANTS } from './mutants/catalog';
import { repositoryRoot, runMutant } from './mutants/run-mutants';
import { SENTINELS } from './mutants/sentinels';

const root = repositoryRoot();

describe('the mutants', () => {
  it.each(MUTANTS.flatMap((mutant) => mutant.patches.map((patch) => [mutant.id, patch.file, mutant, patch] as const)))(
    '%s still finds its anchor exactly once in %s',
    (_id, _file, mutant, patch) => {
      // Prepare
      const text = readFileSync(join(root, patch.file), 'utf8');

      // Act
      const patched = applyPatch(mutant, patch, text);

      // Assess
      expect(patched).not.toBe(text);
      expect(patched).toContain(patch.replacement);
    },
  );

  it('refuses to run a mutant whose anchor moved, rather than test the unbroken product', () => {
    // Prepare
    const [mutant] = MUTANTS;
    const patch = mutant!.patches[0]!;

    // Act
    const apply = () => applyPatch(mutant!, patch, 'export const refactored = true;\n');

    // Assess
    expect(apply).toThrow(AnchorError);
  });

  it('catches a Huawei provider that submits again after a lost answer without looking first (a patched copy, in a child process)', async () => {
    // Prepare
    const mutant = MUTANTS.find((m) => m.id === 'huawei-submit-without-looking');
    const sentinel = 'huawei: copy answer lost';
    expect(SENTINELS[sentinel]).toBeDefined();

    // Act
    const [control, mutated] = await Promise.all([runMutant(root, undefined, 1, [sentinel]), runMutant(root, mutant, 1, [sentinel])]);

    // Assess
    expect(control.error).toBeUndefined();
    expect(control.caughtBy).toEqual([]);
    expect(mutated.caughtBy).toEqual([sentinel]);
    expect(mutated.verdicts[0]?.open.join('\n')).toContain('duplicate-copy');
  }, 60_000);
});
