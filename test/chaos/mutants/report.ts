import { table } from '../report';
import type { MutantResult } from './run-mutants';

/** One row per mutant (and the control): what it breaks, and the suite's scenarios that caught it. */
export const renderMutants = (results: readonly MutantResult[]): string =>
  `Mutants (each a patched copy of the source, run against the same ${results[0]?.verdicts.length ?? 0} scenarios of the suite):\n` +
  table(
    ['mutant', 'breaks', 'caught by'],
    results.map((result) => [
      result.mutant === undefined ? 'control (unpatched copy)' : `(${result.mutant.letter}) ${result.mutant.id}`,
      result.mutant?.breaks ?? 'nothing: must catch nothing',
      result.error !== undefined ? `ERROR ${result.error.slice(0, 200)}` : result.caughtBy.length === 0 ? '—' : result.caughtBy.join('; '),
    ]),
    3,
  );

/** A mutant nobody caught, a control that failed, or a run that could not report: each fails the suite. */
export const mutantShortfalls = (results: readonly MutantResult[]): string[] =>
  results.flatMap((result) => {
    const name = result.mutant?.id ?? 'control';
    if (result.error !== undefined) return [`mutant ${name} could not be run: ${result.error.slice(0, 300)}`];
    if (result.verdicts.some((v) => v.unreached > 0)) return [`mutant ${name}: a sentinel did not reach its armed points`];
    if (result.mutant === undefined) return result.caughtBy.length > 0 ? [`the unpatched copy failed ${result.caughtBy.join('; ')}: the mutants prove nothing`] : [];
    return result.caughtBy.length === 0 ? [`mutant ${name} survived: ${result.mutant.breaks}`] : [];
  });
