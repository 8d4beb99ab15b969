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
  /** Stopped by Ctrl-C; state is kept and the next run resumes. */
  Interrupted: 130,
  /** Stopped by SIGTERM; state is kept and the next run resumes. */
  Terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `Exit codes:
  0    done: everything asked for happened
  1    the work failed or was refused (failed jobs, a failed sweep, dead letters, a refused retry)
  2    bad usage or configuration (unknown command or option, bad value, invalid policy)
  130  interrupted by Ctrl-C (state is kept; the next run resumes)
  143  terminated by SIGTERM (state is kept; the next run resumes)`;
