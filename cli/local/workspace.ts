import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { PolicyConfig } from '../../shared/core/config/policy-config';
import type { Logger } from '../../shared/core/ports/logger';
import type { OperatorBackend } from '../backend';
import { CliFailure } from '../errors';
import type { Io } from '../io';
import { policyPathOf, stateDirOf, userPath } from '../paths';
import { loadPolicyFile } from '../policy/load';
import { SIM_WORLD_FILE, selectTarget, type Target } from '../target';
import { hasLocalState, openEmptyBackend, openLocalBackend } from './local-backend';

export interface WorkspaceFlags {
  readonly config?: string;
  readonly stateDir?: string;
  readonly seed?: string;
  readonly huaweiSeed?: string;
}

/** The options of a command that works where `run` works: its policy, its state folder, its simulators. */
export const withWorkspaceOptions = (command: Command): Command =>
  command
    .option('-c, --config <file>', 'policy file (default: the packaged examples/policy.yaml)')
    .option('--state-dir <dir>', 'local state folder (default: $IMAGE_REPLICATOR_STATE_DIR or ./.image-replicator)')
    .option('--seed <file>', 'ECS simulator seed, before the first run (embedded simulator only; default sim/seeds/demo.yaml)')
    .option('--huawei-seed <file>', 'IMS simulator seed (embedded simulator only; default sim/seeds/huawei-demo.yaml)');

/** The policy, the providers `run` would copy with, and the job table, as `run` would find them. */
export interface Workspace {
  readonly configPath: string;
  readonly config: PolicyConfig;
  readonly stateDir: string;
  /** No state folder yet: an empty job table in memory stands for it, and nothing is written. */
  readonly fresh: boolean;
  readonly target: Target;
  readonly backend: OperatorBackend;
  close(): Promise<void>;
}

/**
 * Opens what `run` would work on, for a command that reads it (`plan`) or acts on it once
 * (`prune`): the same policy, the same target (the embedded simulators resume the state folder's
 * world), the same job table. Without a state folder, `requireState` refuses (exit 1); otherwise
 * the simulators start from their seeds and the table is empty, and no file is created.
 */
export const openWorkspace = async (io: Io, flags: WorkspaceFlags, options: { readonly requireState: boolean; readonly logger?: Logger }): Promise<Workspace> => {
  const configPath = policyPathOf(io.cwd, flags.config);
  const config = loadPolicyFile(configPath);
  const stateDir = stateDirOf(io.cwd, io.env, flags.stateDir);
  const fresh = !hasLocalState(stateDir);
  if (fresh && options.requireState) {
    throw new CliFailure(`no local state in ${stateDir} yet: \`image-replicator run\` creates it (or use --state-dir)`);
  }
  const target = await selectTarget(io.env, config, {
    seed: flags.seed === undefined ? undefined : userPath(io.cwd, flags.seed),
    huaweiSeed: flags.huaweiSeed === undefined ? undefined : userPath(io.cwd, flags.huaweiSeed),
    // The simulated world is resumed where one is kept; none is created where there is none.
    stateDir: existsSync(join(stateDir, SIM_WORLD_FILE)) ? stateDir : undefined,
  });
  try {
    const backendOptions = { clock: target.clock, providers: target.providers, logger: options.logger };
    const backend = fresh ? openEmptyBackend(backendOptions) : openLocalBackend(stateDir, backendOptions);
    return {
      configPath,
      config,
      stateDir,
      fresh,
      target,
      backend,
      close: async () => {
        await backend.close();
        await target.close();
      },
    };
  } catch (error) {
    await target.close();
    throw error;
  }
};
