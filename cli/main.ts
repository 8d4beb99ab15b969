import type { StopRequest } from './io';
import { runCli } from './program';

/**
 * The process around the CLI: real streams, and Ctrl-C / SIGTERM turned into a stop request that
 * commands honour after their current step (a second Ctrl-C exits at once).
 */
const controller = new AbortController();
let stopCode = 130;
const stop: StopRequest = { signal: controller.signal, exitCode: () => stopCode };
const onSignal = (signal: NodeJS.Signals) => {
  stopCode = signal === 'SIGTERM' ? 143 : 130;
  process.stderr.write('\nstopping after the current step (Ctrl-C again to force)…\n');
  controller.abort();
  process.once('SIGINT', () => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

runCli(process.argv.slice(2), {
  io: {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    tty: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    columns: process.stdout.columns,
    rows: process.stdout.rows,
    liveStream: process.stdout.isTTY === true ? process.stdout : undefined,
  },
  stop,
})
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
