import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'ir-cli-'));
/** The installed command, as a user runs it; no cloud credentials in its environment. */
const cli = (...args: string[]) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ALIBABA_CLOUD_') && !key.startsWith('IMAGE_REPLICATOR_')));
  const result = spawnSync(process.execPath, ['bin/image-replicator.cjs', ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
};

describe('the image-replicator command', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validates the example policy', () => {
    const { code, out } = cli('validate', '--config', 'examples/policy.yaml');
    expect(code).toBe(0);
    expect(out).toMatch(/3 policies, 6 destinations: valid/);
  });

  it('exits 2 on a bad policy file and names the path of each problem', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'version: 1\npolicies:\n  - name: Golden\n    source: { region: hangzhou, select: {} }\n    destinations: []\n');
    const { code, err } = cli('validate', '--config', file);
    expect(code).toBe(2);
    expect(err).toMatch(/policies\[0\]\.name: lower-case/);
    expect(err).toMatch(/policies\[0\]\.source\.region: expected a region id/);
    expect(err).toMatch(/policies\[0\]\.destinations: Too small/);
  });

  it('exits 2 on an unknown command or option', () => {
    expect(cli('replicat').code).toBe(2);
    expect(cli('status', '--colour').code).toBe(2);
  });

  it('queues a replication request that status does not show as a job until a run takes it', () => {
    const stateDir = join(dir, 'state');
    const queued = cli('replicate', 'cn-hangzhou', 'm-abc123', '--state-dir', stateDir);
    const status = cli('status', '--state-dir', stateDir, '--json');
    expect(queued.code).toBe(0);
    expect(queued.out).toMatch(/queued m-abc123 \(cn-hangzhou\)/);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toEqual([]);
  });

  it('refuses to cancel a job that does not exist', () => {
    const { code, err } = cli('cancel', 'rj-nope', '--state-dir', join(dir, 'state'));
    expect(code).toBe(1);
    expect(err).toMatch(/JobNotFound: no job rj-nope/);
  });
});
