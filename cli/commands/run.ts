import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { withExamples } from '../help';
import { positiveNumber } from '../options';
import { policyPathOf, stateDirOf, userPath } from '../paths';
import { loadPolicyFile } from '../policy/load';
import { progressSinkFor } from '../render/sink-for';
import { jobTable } from '../render/job-lines';
import { runReplication } from '../run/replication';
import { judgeRun } from '../run/verdict';
import { selectTarget } from '../target';

interface RunFlags {
  readonly config?: string;
  readonly stateDir?: string;
  readonly json: boolean;
  readonly sweep: boolean;
  readonly seed?: string;
  readonly huaweiSeed?: string;
  readonly speed?: number;
  readonly verbose: boolean;
}

export const registerRun = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = program
    .command('run')
    .description('sweep, then replicate until nothing is left to do; resumes where the last run stopped')
    .option('-c, --config <file>', 'policy file (default: the packaged examples/policy.yaml)')
    .option('--state-dir <dir>', 'local state folder (default: $IMAGE_REPLICATOR_STATE_DIR or ./.image-replicator)')
    .option('--json', 'one JSON object per job change on stdout (the shape `status --json` prints)', false)
    .option('--no-sweep', 'only process queued requests (`replicate`) and jobs in flight')
    .option('--seed <file>', 'ECS simulator seed (embedded simulator only; default sim/seeds/demo.yaml)')
    .option('--huawei-seed <file>', 'IMS simulator seed (embedded simulator only; default sim/seeds/huawei-demo.yaml)')
    .option('--speed <n>', 'simulator speed, virtual seconds per second (embedded simulator only)', positiveNumber)
    .option('-v, --verbose', 'show info log lines too, not only warnings', false)
    .addHelpText(
      'after',
      `
Where the copies happen:
  IMAGE_REPLICATOR_ECS_ENDPOINT / IMAGE_REPLICATOR_HUAWEI_IMS_ENDPOINT set: those endpoints (e.g. \`image-replicator sim\`)
  else ALIBABA_CLOUD_ACCESS_KEY_ID or HUAWEICLOUD_SDK_AK set: the real clouds
  else: the embedded simulators, whose world is kept in the state folder between runs`,
    );
  withExamples(command, [
    'image-replicator run',
    'image-replicator run --config my-policy.yaml --state-dir /var/lib/image-replicator',
    'image-replicator run --no-sweep        # after `image-replicator replicate ...`',
    'image-replicator run --json | jq -c \'select(.status == "failed")\'',
  ]).action(async (flags: RunFlags) => {
    const { io, stop } = ctx;
    const configPath = policyPathOf(io.cwd, flags.config);
    const stateDir = stateDirOf(io.cwd, io.env, flags.stateDir);
    const config = loadPolicyFile(configPath);
    const target = await selectTarget(io.env, config, {
      seed: flags.seed === undefined ? undefined : userPath(io.cwd, flags.seed),
      huaweiSeed: flags.huaweiSeed === undefined ? undefined : userPath(io.cwd, flags.huaweiSeed),
      speed: flags.speed,
      stateDir,
    });
    try {
      const sink = progressSinkFor(io, flags.json);
      if (!flags.json) sink.message(`replicating per ${configPath} on ${target.description}\nstate in ${stateDir}\n`);
      const report = await runReplication(io, {
        config,
        stateDir,
        target,
        json: flags.json,
        sweep: flags.sweep,
        verbose: flags.verbose,
        sink,
        signal: stop.signal,
        stopCode: stop.exitCode,
      });
      const verdict = judgeRun(report.facts);
      if (!flags.json && report.facts.touched.length > 0) io.out(`\n${jobTable(report.facts.touched)}\n\n`);
      // stdout carries only JSON with --json; the verdict then goes to stderr like every message.
      (verdict.exitCode === 0 && !flags.json ? io.out : io.err)(`${verdict.line}${verdict.exitCode === 0 ? '' : ` (details: ${report.logFile})`}\n`);
      done(verdict.exitCode);
    } finally {
      await target.close();
    }
  });
};
