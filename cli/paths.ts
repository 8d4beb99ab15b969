import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own folder: defaults (the example policy, the demo seeds) are found from here, wherever the command runs. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A file shipped with the package. */
export const packagePath = (relative: string): string => join(PACKAGE_ROOT, relative);
