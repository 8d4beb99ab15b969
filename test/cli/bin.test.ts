import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, project, SMALL_SEED, tempDir } from './helpers';

const BIN = resolve('bin/image-replicator.cjs');
const elsewhere = tempDir('ir-bin-');

/** The installed command as a user runs it: another folder, no cloud credentials. */
const run = (...args: string[]) => {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: cleanEnv(), cwd: elsewhere, timeout: 60_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
};

describe('the installed command, run from another folder', () => {
  afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

  it('finds the packaged example policy and validates it without the secrets', () => {
    // Act
    const { code, out } = run('validate', '--skip-secrets');
    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(/examples\/policy\.yaml: 3 policies, 6 destinations: valid/);
  });

  it('names a missing webhook secret by its variable and exits 2', () => {
    // Act
    const { code, err } = run('validate');
    // Assess
    expect(code).toBe(2);
    expect(err).toContain('OPS_WEBHOOK_SECRET is not set in the environment');
  });

  it('queues a request in the state folder of the current folder, which status does not show as a job yet', () => {
    // Act
    const queued = run('replicate', 'cn-hangzhou', 'm-abc123');
    const status = run('status', '--json');
    // Assess
    expect(queued.code).toBe(0);
    expect(queued.out).toMatch(/queued m-abc123 \(alibaba cn-hangzhou\)/);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toEqual([]);
    expect(existsSync(join(elsewhere, '.image-replicator', 'state.db'))).toBe(true);
  });

  it('refuses to cancel a job that does not exist, in one line, exit 1', () => {
    // Act
    const { code, err } = run('cancel', 'rj-nope', '--config', resolve('examples/policy.yaml'));
    // Assess
    expect(code).toBe(1);
    expect(err.trim().split('\n')).toEqual(['not cancelled: JobNotFound: no job rj-nope']);
  });

  it('exits 2 on a speed that is not a number', () => {
    // Act
    const { code, err } = run('run', '--speed', 'abc');
    // Assess
    expect(code).toBe(2);
    expect(err).toContain('is invalid');
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('stops a run after its current step on %s, keeps the state and exits %i', async (signal, expected) => {
    // Prepare: copies long enough to be under way when the signal comes.
    const dir = project({ 'seed.yaml': SMALL_SEED.replaceAll('sizeGiB: 1,', 'sizeGiB: 500,') });
    const child = spawn(process.execPath, [BIN, 'run', '--config', 'policy.yaml', '--seed', 'seed.yaml', '--state-dir', 'state'], { cwd: dir, env: cleanEnv() });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    // Act
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('copying') && child.signalCode === null && !child.killed) child.kill(signal);
      });
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    // Assess
    expect(code).toBe(expected);
    expect(err).toContain('stopped; the state is kept and the next `image-replicator run` resumes');
    expect(existsSync(join(dir, 'state', 'ecs-simulator.json'))).toBe(true);
  });
});
