import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildError, type BuiltFunction, buildFunctions, findForbiddenInputs, FUNCTIONS, renamedClasses } from '../../scripts/build';
import { DEFERRED_FILE } from '../../scripts/deferred-packages';
import { VALIDATED_POLICY_FILE, readValidatedPolicy } from '../../shared/platform/fc/validated-policy';
import { parsePolicyConfig } from '../../shared/core/config/load-policy-config';
import { PROVIDER_RULES } from '../../shared/providers/catalog';
import { fakeFunctionEnv, loadBundleOffline, NO_NETWORK_GUARD, runNode } from '../../scripts/measure-bundles';
import { ROOT } from './s-preview';

/** Metafile inputs are relative to the repository root. */
const localOnly = (input: string): boolean =>
  /(^|\/)node_modules\/better-sqlite3\//.test(input) || /^(sim|cli|runtime)\//.test(input) || /^shared\/stores\/sqlite\//.test(input);

describe('the function bundles (scripts/build.ts)', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'bundles-'));
  let built: BuiltFunction[] = [];

  beforeAll(async () => {
    built = await buildFunctions({ root: ROOT, outDir });
  });

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('builds one bundle per function with the policy beside it', () => {
    // Prepare
    const example = readFileSync(join(ROOT, 'examples/policy.yaml'), 'utf8');
    // Act
    const layout = FUNCTIONS.map((fn) => [fn, existsSync(join(outDir, fn, 'index.js')), readFileSync(join(outDir, fn, 'policy.yaml'), 'utf8') === example]);
    // Assess
    expect(built.map((fn) => fn.name)).toEqual([...FUNCTIONS]);
    expect(layout).toEqual(FUNCTIONS.map((fn) => [fn, true, true]));
  });

  it('keeps native SQLite, the simulator, the CLI and the local runtime out of every bundle', () => {
    // Prepare
    const inputsByFunction = FUNCTIONS.map((fn) => {
      const meta = JSON.parse(readFileSync(join(outDir, 'meta', `${fn}.json`), 'utf8')) as { inputs: Record<string, unknown> };
      return [fn, Object.keys(meta.inputs)] as const;
    });
    // Act
    const leaks = inputsByFunction.map(([fn, inputs]) => [fn, inputs.filter(localOnly)]);
    // Assess
    expect(inputsByFunction.every(([, inputs]) => inputs.some((i) => i.startsWith('shared/stores/tablestore/tablestore-job-store')))).toBe(true);
    expect(leaks).toEqual(FUNCTIONS.map((fn) => [fn, []]));
  });

  it('carries neither the Tablestore nor the MNS SDK: the stores speak the wire through clients of their own', () => {
    // Prepare
    const sdk = /(^|\/)node_modules\/(tablestore|@alicloud\/mns|protobufjs|flatbuffers)\//;
    // Act
    const found = built.map((fn) => [fn.name, fn.inputs.filter((input) => sdk.test(input))]);
    // Assess
    expect(found).toEqual(FUNCTIONS.map((fn) => [fn, []]));
  });

  it('keeps the Alibaba OpenAPI runtime in a file of its own that loading a bundle does not read', () => {
    // Prepare
    const dir = join(outDir, 'poll-status');
    const check = `${NO_NETWORK_GUARD}require('./index.js');const loaded=Object.keys(require.cache).filter((f)=>f.endsWith('${DEFERRED_FILE}'));process.stdout.write(JSON.stringify(loaded));`;
    // Act
    const outcome = runNode(check, dir, fakeFunctionEnv(dir));
    const firstUse = runNode(`const sdk=require('./${DEFERRED_FILE}');process.stdout.write(typeof sdk['@alicloud/openapi-core'].default);`, dir, {});
    // Assess
    expect(built.every((fn) => fn.deferred !== undefined && existsSync(join(outDir, fn.name, DEFERRED_FILE)))).toBe(true);
    expect([outcome.status, outcome.stdout]).toEqual([0, '[]']);
    expect([firstUse.status, firstUse.stdout]).toEqual([0, 'function']);
  });

  it('calls an RPC API through the deferred runtime without loading its websocket client, proxy agents or dates', () => {
    // Prepare
    const dir = join(outDir, 'start-copy');
    const call = `
      const sdk = require('./${DEFERRED_FILE}');
      const core = sdk['@alicloud/openapi-core'];
      const client = new core.default(new core.$OpenApiUtil.Config({ accessKeyId: 'a', accessKeySecret: 'b', endpoint: '127.0.0.1:9', protocol: 'http', regionId: 'cn-hangzhou' }));
      const params = new core.$OpenApiUtil.Params({ action: 'DescribeImages', version: '2014-05-26', protocol: 'HTTP', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
      client.callApi(params, new core.$OpenApiUtil.OpenApiRequest({ query: { RegionId: 'cn-hangzhou' } }), new sdk['@darabonba/typescript'].RuntimeOptions({}))
        .catch((error) => error.code)
        .then((code) => process.stdout.write(JSON.stringify([code, Object.keys(require.cache).some((file) => file.endsWith('alibaba-sdk-extras.js'))])));`;
    // Act
    const outcome = runNode(call, dir, {});
    // Assess
    expect(existsSync(join(dir, 'alibaba-sdk-extras.js'))).toBe(true);
    expect([outcome.status, outcome.stdout]).toEqual([0, '["ECONNREFUSED",false]']);
  });

  it('writes the validated policy beside the bundled one, good only for the very text the build validated', () => {
    // Prepare
    const policyFile = join(outDir, 'notify', 'policy.yaml');
    const text = readFileSync(policyFile, 'utf8');
    // Act
    const validated = readValidatedPolicy(policyFile, text);
    const edited = readValidatedPolicy(policyFile, `${text}\n# edited after the build\n`);
    // Assess
    expect(FUNCTIONS.every((fn) => existsSync(join(outDir, fn, VALIDATED_POLICY_FILE)))).toBe(true);
    expect(validated).toEqual(parsePolicyConfig(text, policyFile, PROVIDER_RULES));
    expect(edited).toBeUndefined();
  });

  it.each(FUNCTIONS)('%s loads offline with a complete environment and exports its handler', (fn) => {
    // Prepare
    const dir = join(outDir, fn);
    // Act
    const loaded = loadBundleOffline(dir);
    const exported = runNode(`${NO_NETWORK_GUARD}const m=require('./index.js');if(typeof m.handler!=='function')process.exit(3);`, dir, fakeFunctionEnv(dir));
    // Assess
    expect(loaded.stderr).toBe('');
    expect([loaded.status, exported.status]).toEqual([0, 0]);
  });

  it('fails fast at load, naming the variable, when the environment is incomplete', () => {
    // Prepare
    const dir = join(outDir, 'poll-status');
    const { IMAGE_REPLICATOR_TABLE: _dropped, ...env } = fakeFunctionEnv(dir);
    // Act
    const outcome = runNode(`${NO_NETWORK_GUARD}require('./index.js');`, dir, env);
    // Assess
    expect(outcome.status).not.toBe(0);
    expect(outcome.stderr).toContain('IMAGE_REPLICATOR_TABLE');
  });

  it('catches network use while loading, so "loads offline" means something', () => {
    // Prepare
    const code = `${NO_NETWORK_GUARD}require('node:net').connect(9, '127.0.0.1');`;
    // Act
    const outcome = runNode(code, outDir, {});
    // Assess
    expect(outcome.status).not.toBe(0);
    expect(outcome.stderr).toContain('network use while loading the bundle');
  });

  it('refuses to build with a policy file that does not validate', async () => {
    // Prepare
    const badPolicy = join(outDir, 'bad-policy.yaml');
    writeFileSync(badPolicy, 'version: 1\npolicies: []\n');
    // Act
    const outcome = buildFunctions({ root: ROOT, outDir: join(outDir, 'bad'), policySource: badPolicy, functions: ['notify'] });
    // Assess
    await expect(outcome).rejects.toThrow(BuildError);
    await expect(outcome).rejects.toThrow(/policies/);
  });
});

describe('the forbidden-input check', () => {
  it('names local-only inputs and lets cloud code and look-alike packages through', () => {
    // Prepare
    const inputs = [
      'node_modules/better-sqlite3/lib/database.js',
      'node_modules/bindings/bindings.js',
      'sim/ecs-simulator.ts',
      'cli/main.ts',
      'runtime/local-runtime.ts',
      'shared/stores/sqlite/sqlite-job-store.ts',
      'shared/stores/tablestore/tablestore-job-store.ts',
      'shared/platform/fc/cloud-wiring.ts',
      'node_modules/@babel/runtime/helpers/x.js',
      'node_modules/tablestore/lib/client.js',
    ];
    // Act
    const flagged = findForbiddenInputs(inputs).map((f) => f.input);
    // Assess
    expect(flagged).toEqual(inputs.slice(0, 6));
  });

  it('names classic zod and lets zod/mini, its core and its English locale through', () => {
    // Prepare
    const inputs = [
      'node_modules/zod/v4/classic/schemas.js',
      'node_modules/zod/v3/types.js',
      'node_modules/zod/v4/mini/schemas.js',
      'node_modules/zod/v4/core/schemas.js',
      'node_modules/zod/v4/locales/en.js',
    ];
    // Act
    const flagged = findForbiddenInputs(inputs).map((f) => f.input);
    // Assess
    expect(flagged).toEqual(inputs.slice(0, 2));
  });
});

describe('the renamed-class check', () => {
  it('names a class esbuild renamed to dodge a collision, and nothing else', () => {
    // Prepare
    const output = 'var Foo=class{};var Foo2=class extends Foo{};class Bar{}class Bar3{}var Sha256=class{};var Base64=class{}';
    // Act
    const renamed = renamedClasses(output);
    // Assess
    expect(renamed).toEqual(['Bar3', 'Foo2']);
  });
});
