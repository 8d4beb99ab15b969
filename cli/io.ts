/**
 * Everything a command touches of its process, passed in: the tests run commands in-process with
 * captured streams, and nothing in a command reaches for `process` itself.
 */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** stdout is a terminal: live progress instead of plain lines. */
  readonly tty: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** User-given paths resolve from here. */
  readonly cwd: string;
  /** Terminal width and height when `tty`; the live region fits into them. */
  readonly columns?: number | undefined;
  readonly rows?: number | undefined;
  /** The stream the live region redraws on (stdout on a terminal); absent in tests. */
  readonly liveStream?: NodeJS.WriteStream | undefined;
}

/** Ctrl-C or SIGTERM, as the command sees it: the signal that asked it to stop. */
export interface StopRequest {
  readonly signal: AbortSignal;
  /** 130 after SIGINT, 143 after SIGTERM: what a shell expects of an interrupted command. */
  readonly exitCode: () => number;
}
