import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobViewV1 } from '../../cli/job-view';
import { cleanEnv, cli, type CliResult, project, runArgs, SMALL_SEED } from './helpers';

const BIN = resolve('bin/image-replicator.cjs');
const TOKEN = 'serve-test-token-0123456789abcdef';

interface Served {
  /** The page's URL, as the command printed it. */
  readonly url: string;
  /** Asks the command to stop (Ctrl-C) and answers how it ended. */
  stop(): Promise<CliResult>;
}

/** Starts `serve` in this process and waits for the URL it prints; no sleeping, the output says when. */
const serve = async (dir: string, args: readonly string[], env = cleanEnv()): Promise<Served> => {
  const controller = new AbortController();
  let announce: (url: string) => void = () => undefined;
  const announced = new Promise<string>((resolveUrl) => (announce = resolveUrl));
  const running = cli(['serve', '--state-dir', 'state', ...args], {
    cwd: dir,
    env,
    signal: controller.signal,
    onOut: (text) => {
      const url = /on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text)?.[1];
      if (url !== undefined) announce(url);
    },
  });
  const url = await Promise.race([announced, running.then((result) => Promise.reject(new Error(`serve ended before serving (exit ${result.code}): ${result.err}`)))]);
  return {
    url,
    stop: async () => {
      controller.abort();
      return running;
    },
  };
};

const jobIdsOf = async (dir: string) => JobViewV1.array().parse(JSON.parse((await cli(['status', '--state-dir', 'state', '--json'], { cwd: dir })).out)).map((job) => job.jobId).sort();

/** Every job id the status model holds, wherever it sits. */
const modelJobIds = (model: { policies: { sources: { destinations: { jobId: string }[] }[] }[] }): string[] =>
  model.policies.flatMap((p) => p.sources.flatMap((s) => s.destinations.map((d) => d.jobId))).sort();

describe('serve', () => {
  it('serves the local jobs as a page and as JSON on 127.0.0.1 without a token, until asked to stop, then closes', async () => {
    // Prepare
    const dir = project();
    await cli(runArgs(), { cwd: dir });
    const ids = await jobIdsOf(dir);
    const served = await serve(dir, ['--port', '0']);
    // Act
    const page = await fetch(served.url);
    const html = await page.text();
    const api = await fetch(`${served.url}api/status`);
    const model = (await api.json()) as Parameters<typeof modelJobIds>[0] & { counts: Record<string, number> };
    const result = await served.stop();
    const afterwards = await fetch(served.url).then(
      () => 'answered',
      () => 'refused',
    );
    // Assess
    expect(page.status).toBe(200);
    for (const id of ids) expect(html).toContain(`data-job-id="${id}"`);
    expect(api.status).toBe(200);
    expect(modelJobIds(model)).toEqual(ids);
    expect(model.counts.available).toBe(4);
    expect(result.code).toBe(130);
    expect(result.out).toContain('open to this machine only (no token set)');
    expect(afterwards).toBe('refused');
  });

  it("measures the jobs' ages against the simulated world they were copied in, not the wall clock", async () => {
    // Prepare: a world whose clock stands years behind the wall clock; by the wall clock every job is old news.
    const dir = project({ 'seed.yaml': SMALL_SEED.replace('speed: 3000', "speed: 3000\nstartTime: '2020-01-01T00:00:00Z'") });
    await cli(runArgs(), { cwd: dir });
    const served = await serve(dir, []);
    // Act
    const model = (await (await fetch(`${served.url}api/status`)).json()) as Parameters<typeof modelJobIds>[0] & { generatedAt: string; omittedSources: number };
    await served.stop();
    // Assess
    expect(model.generatedAt).toMatch(/^2020-01-01T/);
    expect(model.omittedSources).toBe(0);
    expect(modelJobIds(model)).toEqual(await jobIdsOf(dir));
  });

  it('asks for the token read from the environment variable named, and never prints it', async () => {
    // Prepare
    const dir = project();
    await cli(runArgs(), { cwd: dir });
    const served = await serve(dir, ['--token-env', 'OPS_STATUS_TOKEN'], cleanEnv({ OPS_STATUS_TOKEN: TOKEN }));
    // Act
    const without = await fetch(`${served.url}api/status`);
    const withToken = await fetch(`${served.url}api/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const result = await served.stop();
    // Assess
    expect(without.status).toBe(401);
    expect(withToken.status).toBe(200);
    expect(result.out).toContain('asks for the token in OPS_STATUS_TOKEN');
    expect(result.out + result.err).not.toContain(TOKEN);
  });

  it('refuses to serve beyond loopback without a token, with exit 2 and the reason', async () => {
    // Prepare
    const dir = project();
    await cli(runArgs(), { cwd: dir });
    // Act
    const result = await cli(['serve', '--state-dir', 'state', '--host', '0.0.0.0'], { cwd: dir });
    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toContain('the status page on 0.0.0.0 needs a token');
    expect(result.err).toContain('IMAGE_REPLICATOR_STATUS_TOKEN');
    expect(result.out).toBe('');
  });

  it('exits 2 on a token too short, or a token variable that is not set', async () => {
    // Prepare
    const dir = project();
    await cli(runArgs(), { cwd: dir });
    // Act
    const short = await cli(['serve', '--state-dir', 'state'], { cwd: dir, env: cleanEnv({ IMAGE_REPLICATOR_STATUS_TOKEN: 'short' }) });
    const unset = await cli(['serve', '--state-dir', 'state', '--token-env', 'NOT_SET_ANYWHERE'], { cwd: dir });
    // Assess
    expect([short.code, unset.code]).toEqual([2, 2]);
    expect(short.err).toContain('at least 24 characters');
    expect(short.err).not.toContain('short\n');
    expect(unset.err).toContain('NOT_SET_ANYWHERE is not set in the environment');
  });

  it('as the installed command, stops on SIGTERM with exit 143', async () => {
    // Prepare
    const dir = project();
    await cli(runArgs(), { cwd: dir });
    const child = spawn(process.execPath, [BIN, 'serve', '--state-dir', 'state'], { cwd: dir, env: cleanEnv() });
    let out = '';
    // Act
    const code = await new Promise<number | null>((resolveExit) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ctrl-C stops it') && !child.killed) child.kill('SIGTERM');
      });
      child.on('exit', (exitCode) => resolveExit(exitCode));
    });
    // Assess
    expect(code).toBe(143);
    expect(out).toMatch(/^status page for the local state in .*state on http:\/\/127\.0\.0\.1:\d+\//);
  });
});
