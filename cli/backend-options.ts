import type { Command } from 'commander';
import type { Logger } from '../shared/core/ports/logger';
import type { OperatorBackend } from './backend';
import { cloudSecrets, openCloudBackend } from './cloud/cloud-backend';
import { loadOperatorEnv, readProfile } from './cloud/operator-env';
import type { Io } from './io';
import { CliFailure } from './errors';
import { ExitCode } from './exit-codes';
import { hasLocalState, openLocalBackend } from './local/local-backend';
import { policyPathOf, stateDirOf, userPath } from './paths';
import { loadPolicyFile } from './policy/load';
import { selectTarget } from './target';

export interface BackendFlags {
  readonly stateDir?: string;
  readonly cloud?: boolean;
  readonly profile?: string;
  readonly config?: string;
}

/** The options every operator command shares: where the jobs are. */
export const withBackendOptions = (command: Command): Command =>
  command
    .option('--state-dir <dir>', 'local state folder (default: $IMAGE_REPLICATOR_STATE_DIR or ./.image-replicator)')
    .option('--cloud', "the deployed Tablestore table and MNS queues, named by the functions' variables in the environment", false)
    .option('--profile <file>', 'like --cloud, with the variables read from this file (KEY: value or KEY=value lines)');

export interface OpenedBackend {
  readonly backend: OperatorBackend;
  /** Values never to print. */
  readonly secrets: readonly string[];
  close(): Promise<void>;
}

/**
 * Opens the backend the flags name. Locally, `withTarget` also starts what `run` would copy on
 * (the simulators resume their world), for the provider calls and the virtual clock of its jobs.
 */
export const openBackend = async (io: Io, flags: BackendFlags, options: { withTarget?: boolean; logger?: Logger } = {}): Promise<OpenedBackend> => {
  if (flags.cloud === true || flags.profile !== undefined) {
    const env = loadOperatorEnv(io.env, flags.profile === undefined ? undefined : readProfile(userPath(io.cwd, flags.profile)));
    const backend = openCloudBackend(env, io.env, { logger: options.logger });
    return { backend, secrets: cloudSecrets(env), close: () => backend.close() };
  }
  const stateDir = stateDirOf(io.cwd, io.env, flags.stateDir);
  if (!hasLocalState(stateDir)) {
    throw new CliFailure(`no local state in ${stateDir} yet: \`image-replicator run\` creates it (or use --state-dir, --cloud)`, ExitCode.Failed);
  }
  if (options.withTarget !== true) {
    const backend = openLocalBackend(stateDir, { logger: options.logger });
    return { backend, secrets: [], close: () => backend.close() };
  }
  const target = await selectTarget(io.env, loadPolicyFile(policyPathOf(io.cwd, flags.config)), { stateDir });
  const backend = openLocalBackend(stateDir, { clock: target.clock, providers: target.providers, logger: options.logger });
  return {
    backend,
    secrets: target.secrets,
    close: async () => {
      await backend.close();
      await target.close();
    },
  };
};
