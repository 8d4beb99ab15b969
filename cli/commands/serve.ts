import { type Command, InvalidArgumentError } from 'commander';
import { type Clock, systemClock } from '../../shared/core/domain/clock';
import { ConfigError } from '../../shared/core/domain/errors';
import { createJsonLogger } from '../../shared/platform/logging/json-logger';
import { StatusToken } from '../../shared/platform/status-page/auth';
import { DEFAULT_REFRESH_SECONDS } from '../../shared/platform/status-page/routes';
import { type StatusServer, startStatusServer } from '../../shared/platform/status-page/server';
import { type BackendFlags, openBackend, withBackendOptions } from '../backend-options';
import type { CommandContext } from '../command-context';
import { CliFailure, usageFailure } from '../errors';
import { withExamples } from '../help';
import { demoFallback } from '../local/demo-fallback';
import { simulatedWorldClock } from '../local/world-clock';
import { portNumber } from '../options';
import { policyPathOf, stateDirOf } from '../paths';
import { loadPolicyFile } from '../policy/load';
import { humanLogLines } from '../render/log-lines';

/** Where the token is read from unless --token-env names another variable. */
export const STATUS_TOKEN_ENV = 'IMAGE_REPLICATOR_STATUS_TOKEN';

interface ServeFlags extends BackendFlags {
  readonly port?: number;
  readonly host: string;
  readonly tokenEnv?: string;
  readonly refresh: number;
}

/** `--token-env NAME`: the name of an environment variable, never the token itself. */
const variableName = (value: string): string => {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(value)) throw new InvalidArgumentError('expected the name of an environment variable (the token itself is never given on the command line).');
  return value;
};

/** `--refresh 15`: whole seconds between the page's reloads, 0 for none. */
const refreshSeconds = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 3600) throw new InvalidArgumentError('expected whole seconds from 0 (no reload) to 3600.');
  return n;
};

/** Resolves when the command is asked to stop. */
const stopped = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));

/** The token from the environment variable named, checked; undefined when none is set and none was asked for by name. */
const tokenFrom = (env: NodeJS.ProcessEnv, flags: ServeFlags): { name: string; token: string | undefined } => {
  const name = flags.tokenEnv ?? STATUS_TOKEN_ENV;
  const token = env[name] === '' ? undefined : env[name];
  if (token === undefined) {
    if (flags.tokenEnv !== undefined) throw usageFailure(`--token-env ${name}: ${name} is not set in the environment`);
    return { name, token };
  }
  const checked = StatusToken.safeParse(token);
  if (!checked.success) throw usageFailure(`${name}: ${checked.error.issues.map((issue) => issue.message).join('; ')}`);
  return { name, token };
};

const LISTEN_USAGE_ERRORS = new Set(['EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EINVAL']);

/**
 * The status page (shared/platform/status-page) over the jobs `status` shows: the local state
 * folder, or with --cloud a deployment's Tablestore table. Read only; serves until Ctrl-C or SIGTERM.
 */
export const registerServe = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = withBackendOptions(
    program
      .command('serve')
      .description("serve the status page (HTML and JSON) over the jobs `status` shows, until Ctrl-C; read only")
      .option('--port <n>', 'port to listen on (default: a free one, printed)', portNumber)
      .option('--host <address>', 'address to listen on; anything but loopback requires a token', '127.0.0.1')
      .option('--token-env <name>', `environment variable holding the status token, at least 24 characters (default: ${STATUS_TOKEN_ENV}); never given on the command line, where \`ps\` shows it`, variableName)
      .option('--refresh <seconds>', 'seconds between the page reloading itself, 0 for never', refreshSeconds, DEFAULT_REFRESH_SECONDS)
      .option('-c, --config <file>', "policy file, for the per-region cap the page shows (default: the packaged example)"),
  ).addHelpText(
    'after',
    `
Credentials:
  On loopback (127.0.0.1, ::1, localhost) the page is open to this machine, unless a token is set.
  Anywhere else it needs the token: browsers ask for it as the password (any user name), scripts send
  \`Authorization: Bearer <token>\`. Without one, serving beyond loopback is refused (exit 2).

Paths: / (the page; ?policy= ?region= ?job=), /api/status (JSON), /api/jobs/<id>, /healthz.
With --cloud the page reads the deployed table with the operator's keys (see \`status --help\`).`,
  );
  withExamples(command, [
    'image-replicator serve                                    # http://127.0.0.1:<free port>/',
    'image-replicator serve --port 8080 --state-dir .image-replicator/demo',
    'IMAGE_REPLICATOR_STATUS_TOKEN=$(openssl rand -hex 24) image-replicator serve --host 0.0.0.0 --port 8080',
    'image-replicator serve --cloud --token-env OPS_STATUS_TOKEN --host 0.0.0.0',
    'curl -s http://127.0.0.1:8080/api/status | jq .counts',
  ]).action(async (flags: ServeFlags) => {
    const { io, stop } = ctx;
    const { name, token } = tokenFrom(io.env, flags);
    const config = loadPolicyFile(policyPathOf(io.cwd, flags.config));
    const demo = demoFallback(io, flags);
    const backendFlags = demo === undefined ? flags : { ...flags, stateDir: demo };
    const logger = createJsonLogger({ level: 'warn', sink: humanLogLines((line) => io.err(`${line}\n`)) });
    const opened = await openBackend(io, backendFlags, { logger });
    try {
      const { backend } = opened;
      if (demo !== undefined) io.err(`(the demo's jobs, from ${demo}; --state-dir chooses another folder)\n`);
      // Local jobs carry the time of the world they were copied in: the page measures against it.
      const clock: Clock = backend.kind === 'local' ? (simulatedWorldClock(stateDirOf(io.cwd, io.env, backendFlags.stateDir)) ?? systemClock) : systemClock;
      let server: StatusServer;
      try {
        server = await startStatusServer({
          jobs: backend.jobs,
          port: flags.port,
          host: flags.host,
          token,
          maxConcurrentCopiesPerRegion: config.maxConcurrentCopiesPerRegion,
          clock,
          refreshSeconds: flags.refresh,
          logger,
        });
      } catch (error) {
        if (error instanceof ConfigError) throw usageFailure(`${error.message}; set one in ${name} (openssl rand -hex 24), or serve on 127.0.0.1`);
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        const where = `${flags.host}:${flags.port ?? 0}`;
        if (LISTEN_USAGE_ERRORS.has(code)) throw usageFailure(`cannot listen on ${where}: ${code} (not an address of this machine?)`);
        throw new CliFailure(`cannot listen on ${where}: ${code}${code === 'EADDRINUSE' ? ' (the port is taken: choose another with --port, or 0 for a free one)' : ''}`);
      }
      try {
        io.out(`status page for ${backend.where} on ${server.url} (JSON: ${server.url}api/status); Ctrl-C stops it\n`);
        io.out(token === undefined ? 'open to this machine only (no token set)\n' : `asks for the token in ${name}: browsers as the password, scripts as Authorization: Bearer\n`);
        await stopped(stop.signal);
      } finally {
        await server.close();
      }
      done(stop.exitCode());
    } finally {
      await opened.close();
    }
  });
};
