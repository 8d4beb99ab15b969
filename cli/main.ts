import { parseArgs } from 'node:util';
import { isReplicationError, ConfigError } from '../shared/core/domain/errors';
import { runSimulator } from '../sim/serve';
import { runCancel } from './commands/cancel';
import { runDemo } from './commands/demo';
import { enqueueRequest } from './commands/enqueue';
import { type Io, loadPolicyFile, printSummary, runReplication } from './commands/run';
import { runStatus } from './commands/status';
import { selectTarget } from './target';
import { JobStatus } from '../shared/core/domain/job';
import { encodeMessage, ReplicationRequestedV1 } from '../shared/core/messages/messages';

const USAGE = `usage: image-replicator <command> [options]

commands:
  demo                      replicate the demo images on the embedded simulator (what npm start runs)
  run [--config FILE]       sweep, then replicate until nothing is left to do; resumes where it stopped
      [--state-dir DIR] [--json] [--no-sweep] [--seed FILE] [--speed N]
      targets: IMAGE_REPLICATOR_ECS_ENDPOINT if set; else Alibaba Cloud if ALIBABA_CLOUD_ACCESS_KEY_ID
      is set; else the embedded simulator (seeded from --seed, default sim/seeds/demo.yaml)
  replicate REGION IMAGE_ID [--policy NAME] [--state-dir DIR]
                            queue a request to replicate one image; the next run picks it up
  status [--state-dir DIR] [--json]
                            the jobs and their progress
  cancel JOB_ID [--reason TEXT] [--state-dir DIR]
                            stop a job (a running copy is cancelled at the provider)
  validate [--config FILE]  check a policy file (exit 2 when it is invalid)
  sim [--seed FILE] [--port N] [--speed N]
                            run the ECS simulator on its own

exit codes: 0 done, 1 some jobs failed, 2 bad configuration or usage, 130 interrupted`;

const DEFAULT_CONFIG = 'examples/policy.yaml';
const DEFAULT_STATE_DIR = '.image-replicator';

/** 130 after Ctrl-C, 143 after SIGTERM: what shells expect of an interrupted command. */
let interrupted = 130;

const main = async (argv: string[], io: Io): Promise<number> => {
  const [command, ...rest] = argv;
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    io.err('\nstopping after the current step (Ctrl-C again to force)…\n');
    interrupted = signal === 'SIGTERM' ? 143 : 130;
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  switch (command) {
    case 'demo':
      return runDemo(io, { stateDir: DEFAULT_STATE_DIR, signal: controller.signal });
    case 'run': {
      const { values } = parseArgs({
        args: rest,
        options: {
          config: { type: 'string', default: DEFAULT_CONFIG },
          'state-dir': { type: 'string', default: DEFAULT_STATE_DIR },
          json: { type: 'boolean', default: false },
          'no-sweep': { type: 'boolean', default: false },
          seed: { type: 'string' },
          speed: { type: 'string' },
        },
      });
      const config = loadPolicyFile(values.config);
      const target = await selectTarget(io.env, config, { seed: values.seed, speed: values.speed === undefined ? undefined : Number(values.speed), stateDir: values['state-dir'] });
      const started = target.clock.now();
      try {
        if (!values.json) io.out(`replicating per ${values.config} on ${target.description}\n\n`);
        const result = await runReplication(io, { config, stateDir: values['state-dir'], target, json: values.json, sweep: !values['no-sweep'], signal: controller.signal });
        if (!values.json) printSummary(io, result);
        if (result.outcome === 'stopped') {
          io.err('stopped; state is kept, `image-replicator run` resumes\n');
          return interrupted;
        }
        // Judged on this run's work: jobs that ended before it started do not make it fail.
        const ours = result.jobs.filter((job) => job.updatedAt >= started.toISOString());
        return ours.every((job) => job.status === JobStatus.Available) ? 0 : 1;
      } finally {
        await target.close();
      }
    }
    case 'replicate': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { policy: { type: 'string' }, 'state-dir': { type: 'string', default: DEFAULT_STATE_DIR } },
      });
      const [region, imageId] = positionals;
      if (region === undefined || imageId === undefined) throw new ConfigError(`replicate needs REGION and IMAGE_ID\n${USAGE}`);
      const body = encodeMessage(ReplicationRequestedV1, { type: 'replication.requested', version: 1, origin: 'cli', source: { region, imageId }, ...(values.policy === undefined ? {} : { policy: values.policy }) });
      const id = await enqueueRequest(values['state-dir'], body);
      io.out(`queued ${imageId} (${region}) as message ${id}; \`image-replicator run --no-sweep\` processes it\n`);
      return 0;
    }
    case 'status': {
      const { values } = parseArgs({ args: rest, options: { 'state-dir': { type: 'string', default: DEFAULT_STATE_DIR }, json: { type: 'boolean', default: false } } });
      return runStatus(io, { stateDir: values['state-dir'], json: values.json });
    }
    case 'cancel': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          reason: { type: 'string', default: 'cancelled by an operator' },
          'state-dir': { type: 'string', default: DEFAULT_STATE_DIR },
          config: { type: 'string', default: DEFAULT_CONFIG },
        },
      });
      const [jobId] = positionals;
      if (jobId === undefined) throw new ConfigError(`cancel needs JOB_ID (see \`image-replicator status --json\`)\n${USAGE}`);
      const target = await selectTarget(io.env, loadPolicyFile(values.config), { stateDir: values['state-dir'] });
      try {
        return await runCancel(io, { stateDir: values['state-dir'], jobId, reason: values.reason, target });
      } finally {
        await target.close();
      }
    }
    case 'validate': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string', default: DEFAULT_CONFIG } } });
      const config = loadPolicyFile(values.config);
      io.out(`${values.config}: ${config.policies.length} polic${config.policies.length === 1 ? 'y' : 'ies'}, ${config.policies.reduce((n, p) => n + p.destinations.length, 0)} destinations: valid\n`);
      return 0;
    }
    case 'sim':
      await runSimulator(rest, { out: (line) => io.out(`${line}\n`) });
      return 0;
    case undefined:
    case 'help':
    case '--help':
      io.out(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      io.err(`unknown command ${command}\n${USAGE}\n`);
      return 2;
  }
};

const io: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  tty: process.stdout.isTTY === true,
  env: process.env,
};

main(process.argv.slice(2), io)
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    if (error instanceof ConfigError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    io.err(`${isReplicationError(error) ? `${error.code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
