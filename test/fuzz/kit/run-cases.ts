import { FuzzRandom } from './random';

export interface CaseFailure {
  readonly index: number;
  readonly input: string;
  readonly problem: string;
}

const preview = (text: string): string => (text.length > 600 ? `${text.slice(0, 600)}… (${text.length} chars)` : text);

/**
 * Runs `count` generated cases and collects every failure instead of stopping at the first, then
 * reports one line per distinct problem with the seed and case index that reproduce it.
 * `check` returns undefined when the case holds, or a description of what went wrong.
 */
export const runCases = async <T>(options: {
  readonly seed: number;
  readonly count: number;
  readonly generate: (random: FuzzRandom, index: number) => T;
  readonly show: (input: T) => string;
  readonly check: (input: T, index: number) => Promise<string | undefined> | string | undefined;
}): Promise<{ readonly failures: readonly CaseFailure[]; readonly report: string; readonly ran: number }> => {
  const failures: CaseFailure[] = [];
  for (let index = 0; index < options.count; index += 1) {
    const input = options.generate(FuzzRandom.forCase(options.seed, index), index);
    let problem: string | undefined;
    try {
      problem = await options.check(input, index);
    } catch (error) {
      problem = `the check itself threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    }
    if (problem !== undefined) failures.push({ index, input: options.show(input), problem });
  }
  const byProblem = new Map<string, CaseFailure[]>();
  for (const failure of failures) {
    const key = failure.problem.replace(/\d+/g, 'N').slice(0, 160);
    byProblem.set(key, [...(byProblem.get(key) ?? []), failure]);
  }
  const report = [...byProblem.values()]
    .map((group) => {
      const first = group[0]!;
      return `${group.length}× ${first.problem}\n   first: seed ${options.seed} case ${first.index}\n   input: ${preview(first.input)}`;
    })
    .join('\n');
  return { failures, report, ran: options.count };
};
