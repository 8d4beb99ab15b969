import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { project, SMALL_SEED } from './helpers';

const BIN = resolve('bin/image-replicator.cjs');
const SOCKET = `ir-pty-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/** Copies slow enough (a few seconds) to watch, and a webhook that refuses, so warnings interleave with progress. */
const SEED = SMALL_SEED.replace('speed: 3000', 'speed: 20000').replace('bandwidthMiBps: 50', 'bandwidthMiBps: 1').replace('sizeGiB: 1,', 'sizeGiB: 20,').replace('sizeGiB: 1,', 'sizeGiB: 40,');
const POLICY = `version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }]
    webhooks:
      - { name: ops, url: "http://127.0.0.1:9/hook", secretEnv: OPS_WEBHOOK_SECRET, allowInsecureLoopback: true }
`;

/** The pane as a person sees it (visible part), or everything since the start (history too), wrapped lines joined. */
const screen = (history: boolean): string => tmux('capture-pane', '-p', '-J', '-t', 'run', ...(history ? ['-S', '-', '-E', '-'] : [])).stdout;

/** Polls the screen until `done` holds, at most `ms`: the one wait this suite allows, on a real terminal. */
const waitForScreen = async (done: (text: string) => boolean, ms: number): Promise<string> => {
  const until = Date.now() + ms;
  for (;;) {
    const text = screen(false);
    if (done(text) || Date.now() > until) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
};

const count = (lines: readonly string[], pattern: RegExp) => lines.filter((line) => pattern.test(line)).length;

describe.skipIf(!hasTmux)('run on a real terminal', () => {
  afterAll(() => tmux('kill-server'));

  it('keeps messages above a live region of progress with ETAs, and leaves no duplicated rows behind', { timeout: 180_000 }, async () => {
    // Prepare
    const dir = project({ 'seed.yaml': SEED, 'policy.yaml': POLICY });
    const command = `cd ${dir} && node ${BIN} run --config policy.yaml --seed seed.yaml --state-dir state; echo EXIT=$?; sleep 120`;
    // Act
    tmux('new-session', '-d', '-s', 'run', '-x', '110', '-y', '24', '-e', 'OPS_WEBHOOK_SECRET=pty-test-webhook-secret-0123', command);
    const during = await waitForScreen((text) => /\[#+-*\] +\d+%  copying  ETA \d+s/.test(text), 60_000);
    await waitForScreen((text) => text.includes('EXIT='), 90_000);
    const history = screen(true).split('\n').map((line) => line.trimEnd());
    // Assess
    const live = during.trimEnd().split('\n');
    expect(live.at(-1)).toMatch(/^\d\/2 jobs finished, \d under way$/);
    expect(during).toMatch(/golden-\w → cn-\w+ \(alibaba\) +\[#+-*\] +\d+%  copying  ETA \d+s/);
    for (const label of ['golden-a → cn-shanghai \\(alibaba\\)', 'golden-b → cn-shanghai \\(alibaba\\)']) {
      expect(count(history, new RegExp(`^✓ ${label} `))).toBe(1);
    }
    expect(count(history, /jobs finished/)).toBe(1);
    expect(count(history, /^2\/2 jobs finished$/)).toBe(1);
    expect(count(history, /\[[#-]{20}\]/)).toBe(0);
    expect(count(history, /^warn +notify: webhook failed, will retry/)).toBeGreaterThan(0);
    expect(history.indexOf('2/2 jobs finished')).toBeGreaterThan(history.findIndex((line) => line.startsWith('warn ')));
    expect(count(history, /^failed: /)).toBe(1);
    expect(history).toContain('EXIT=1');
  });
});
