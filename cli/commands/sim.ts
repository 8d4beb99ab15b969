import type { Command } from 'commander';
import { createEcsSimulator } from '../../sim/ecs-simulator';
import { createImsSimulator } from '../../sim/huawei/ims-simulator';
import { loadImsSeedFile } from '../../sim/huawei/seed';
import { loadSeedFile } from '../../sim/seed';
import type { CommandContext } from '../command-context';
import { withExamples } from '../help';
import { portNumber, positiveNumber } from '../options';
import { packagePath, userPath } from '../paths';
import { DEMO_SEED, HUAWEI_DEMO_SEED, HUAWEI_ENDPOINT_ENV } from '../target';

interface SimFlags {
  readonly seed?: string;
  readonly huaweiSeed?: string;
  readonly port?: number;
  readonly huaweiPort?: number;
  readonly speed?: number;
  readonly state?: string;
}

/** Resolves when the command is asked to stop. */
const stopped = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));

/**
 * The ECS and IMS simulators on their own, on one virtual clock, until Ctrl-C. Prints what to
 * export so that `run` (and the other commands) in another shell talk to them. The keys printed are
 * the seeds' made-up simulator keys, never real ones.
 */
export const registerSim = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = program
    .command('sim')
    .description('run the ECS and IMS simulators on their own and print the variables to export')
    .option('--seed <file>', 'ECS world (default sim/seeds/demo.yaml)')
    .option('--huawei-seed <file>', 'IMS world (default sim/seeds/huawei-demo.yaml)')
    .option('--port <n>', 'ECS port (default: a free one)', portNumber)
    .option('--huawei-port <n>', 'IMS port (default: a free one)', portNumber)
    .option('--speed <n>', 'virtual seconds per second', positiveNumber)
    .option('--state <file>', 'keep the ECS world in this file between starts');
  withExamples(command, ['image-replicator sim --port 8123 --huawei-port 8124', 'eval "$(image-replicator sim | grep ^export)"   # in a script; or copy the lines']).action(
    async (flags: SimFlags) => {
      const { io, stop } = ctx;
      const seed = await loadSeedFile(flags.seed === undefined ? packagePath(DEMO_SEED) : userPath(io.cwd, flags.seed));
      const huaweiSeed = await loadImsSeedFile(flags.huaweiSeed === undefined ? packagePath(HUAWEI_DEMO_SEED) : userPath(io.cwd, flags.huaweiSeed));
      const ecs = await createEcsSimulator({
        seed: flags.speed === undefined ? seed : { ...seed, speed: flags.speed },
        port: flags.port,
        stateFile: flags.state === undefined ? undefined : userPath(io.cwd, flags.state),
      });
      const ims = await createImsSimulator({ seed: flags.speed === undefined ? huaweiSeed : { ...huaweiSeed, speed: flags.speed }, port: flags.huaweiPort, clock: ecs.clock });
      try {
        const alibaba = seed.credentials[0];
        const huawei = huaweiSeed.credentials[0];
        io.out(`ECS simulator on ${ecs.url}, IMS simulator on ${ims.url} (${flags.speed ?? seed.speed}x time); Ctrl-C stops them\n`);
        io.out('# paste into another shell, then `image-replicator run`:\n');
        io.out(`export IMAGE_REPLICATOR_ECS_ENDPOINT=${ecs.url}\n`);
        if (alibaba !== undefined) io.out(`export ALIBABA_CLOUD_ACCESS_KEY_ID=${alibaba.accessKeyId}\nexport ALIBABA_CLOUD_ACCESS_KEY_SECRET=${alibaba.accessKeySecret}\n`);
        io.out(`export ${HUAWEI_ENDPOINT_ENV}='${ims.endpointTemplate}'\n`);
        if (huawei !== undefined) io.out(`export HUAWEICLOUD_SDK_AK=${huawei.accessKeyId}\nexport HUAWEICLOUD_SDK_SK=${huawei.accessKeySecret}\n`);
        io.out(`# the policy's huaweiProjects must hold the simulator's project ids: ${Object.entries(ims.projectIds).map(([r, id]) => `${r}: ${id}`).join(', ')}\n`);
        await stopped(stop.signal);
        done(stop.exitCode());
      } finally {
        await ims.close();
        await ecs.close();
      }
    },
  );
};
