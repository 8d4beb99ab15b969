/**
 * The exit codes every command keeps to, listed in `--help`. Scripts and CI branch on them, so they
 * mean the same thing everywhere.
 */
export const ExitCode = {
  /** Done: everything asked for happened. */
  Ok: 0,
  /** The work failed or was refused: failed jobs, a failed sweep, dead letters, a refused retry. */
  Failed: 1,
  /** Bad usage or configuration: unknown command or option, bad value, invalid policy, missing secret. */
  Usage: 2,
  /** `plan` only: the plan has changes to make (like `terraform plan -detailed-exitcode`). */
  ChangesPending: 3,
  /** Stopped by Ctrl-C; state is kept and the next run resumes. */
  Interrupted: 130,
  /** Stopped by SIGTERM; state is kept and the next run resumes. */
  Terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const CODE_LINES: readonly (readonly [number, string])[] = [
  [0, 'done: everything asked for happened'],
  [1, 'the work failed or was refused (failed jobs, a failed sweep, dead letters, a refused retry)'],
  [2, 'bad usage or configuration (unknown command or option, bad value, invalid policy)'],
  [130, 'interrupted by Ctrl-C (state is kept; the next run resumes)'],
  [143, 'terminated by SIGTERM (state is kept; the next run resumes)'],
];

/** The exit codes as `--help` lists them; a command with codes of its own (plan's 3) adds them in order. */
export const exitCodesHelp = (extra: Readonly<Record<number, string>> = {}): string => {
  const lines = [...CODE_LINES.filter(([code]) => extra[code] === undefined), ...Object.entries(extra).map(([code, text]) => [Number(code), text] as const)].sort(([a], [b]) => a - b);
  return `Exit codes:\n${lines.map(([code, text]) => `  ${String(code).padEnd(5)}${text}`).join('\n')}`;
};

export const EXIT_CODES_HELP = exitCodesHelp({ 3: '`plan` only: changes are pending (see `plan --help`)' });
