import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions, type BuiltFunction, findForbiddenInputs, type FunctionName } from '../../scripts/build';
import { fakeFunctionEnv, NO_NETWORK_GUARD, runNode } from '../../scripts/measure-bundles';
import { ROOT } from './s-preview';

/** The status page's bundle, built by the project's own build. */
const STATUS_PAGE: FunctionName = 'status-page';
const TOKEN_ENV = { IMAGE_REPLICATOR_STATUS_TOKEN: 'bundle-test-status-token-0123456789' };

describe('the status page bundle', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'status-bundle-'));
  let built: BuiltFunction | undefined;

  beforeAll(async () => {
    [built] = await buildFunctions({ root: ROOT, outDir, functions: [STATUS_PAGE] });
  });

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('builds from functions/status-page with the policy beside it, and nothing local-only in it', () => {
    // Act
    const forbidden = findForbiddenInputs(built?.inputs ?? []);
    // Assess
    expect(existsSync(join(outDir, 'status-page', 'index.js'))).toBe(true);
    expect(existsSync(join(outDir, 'status-page', 'policy.yaml'))).toBe(true);
    expect(forbidden).toEqual([]);
    expect(built?.inputs.some((input) => input.startsWith('shared/platform/status-page/routes'))).toBe(true);
    expect(built?.inputs.some((input) => input.startsWith('shared/platform/status-page/server'))).toBe(false);
  });

  it('loads offline with its token and exports its handler; without the token it fails, naming it', () => {
    // Prepare
    const dir = join(outDir, 'status-page');
    // Act
    const loaded = runNode(`${NO_NETWORK_GUARD}const m=require('./index.js');if(typeof m.handler!=='function')process.exit(3);`, dir, { ...fakeFunctionEnv(dir), ...TOKEN_ENV });
    const { IMAGE_REPLICATOR_STATUS_TOKEN: _token, ...withoutToken } = fakeFunctionEnv(dir);
    const missing = runNode(`${NO_NETWORK_GUARD}require('./index.js');`, dir, withoutToken);
    // Assess
    expect([loaded.status, loaded.stderr]).toEqual([0, '']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('IMAGE_REPLICATOR_STATUS_TOKEN');
  });
});
