/** Runs the project's Serverless Devs `s preview` offline and hands back the rendered stage file. */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const STAGES = ['s.yaml', 's.prod.yaml'] as const;

/** Stand-ins for what a deploy reads from the environment; real secrets never enter tests. */
export const PREVIEW_ENV = {
  OPS_WEBHOOK_SECRET: 'preview-only-secret-0123456789',
  IMAGE_REPLICATOR_STATUS_TOKEN: 'preview-only-status-token-0123456789',
} as const;

/**
 * s writes its config and logs under $HOME/.s, and a background writer may still add to it after
 * s exits, so a per-run folder cannot be removed reliably. One fixed scratch home in the temp
 * directory keeps the real home untouched without piling up folders.
 */
const S_HOME = join(tmpdir(), 'image-replicator-s-preview-home');

export const renderStage = (stage: string): unknown => {
  mkdirSync(S_HOME, { recursive: true });
  const result = spawnSync(join(ROOT, 'node_modules/.bin/s'), ['preview', '-t', stage, '-o', 'json'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: S_HOME, ...PREVIEW_ENV },
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (result.error) throw new Error(`s preview could not run: ${result.error.message}`);
  // s prints a root-user warning line before the JSON on stdout.
  const start = result.stdout.indexOf('{');
  if (result.status !== 0 || start < 0) {
    throw new Error(`s preview -t ${stage} failed (exit ${String(result.status)}):\n${result.stdout}\n${result.stderr}`);
  }
  return JSON.parse(result.stdout.slice(start)) as unknown;
};
