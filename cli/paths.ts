import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own folder: defaults (the example policy, the demo seeds) are found from here, wherever the command runs. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A file shipped with the package. */
export const packagePath = (relative: string): string => join(PACKAGE_ROOT, relative);

/** A path the user typed: relative to the folder the command runs in, as every shell tool reads it. */
export const userPath = (cwd: string, given: string): string => resolve(cwd, given);

/** The default state folder, unless IMAGE_REPLICATOR_STATE_DIR or --state-dir say otherwise. */
export const DEFAULT_STATE_DIR = '.image-replicator';
export const STATE_DIR_ENV = 'IMAGE_REPLICATOR_STATE_DIR';

/** Where this command keeps local state: --state-dir, then the environment, then ./.image-replicator. */
export const stateDirOf = (cwd: string, env: NodeJS.ProcessEnv, given: string | undefined): string =>
  userPath(cwd, given ?? (env[STATE_DIR_ENV] === undefined || env[STATE_DIR_ENV] === '' ? DEFAULT_STATE_DIR : env[STATE_DIR_ENV]));

/** The example policy that `run` and `validate` use when no --config is given. */
export const DEFAULT_POLICY = 'examples/policy.yaml';

/** --config if given (from the current folder), else the packaged example. */
export const policyPathOf = (cwd: string, given: string | undefined): string => (given === undefined ? packagePath(DEFAULT_POLICY) : userPath(cwd, given));
