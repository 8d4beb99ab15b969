import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { packagePath } from './paths';

/** The version in package.json, as `--version` prints it. */
export const packageVersion = (): string => z.object({ version: z.string() }).parse(JSON.parse(readFileSync(packagePath('package.json'), 'utf8'))).version;
