import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRuntime } from '../../runtime/local-runtime';
import { parsePolicyConfig } from '../../shared/core/config/load-policy-config';
import { systemClock } from '../../shared/core/domain/clock';
import { JobStatus } from '../../shared/core/domain/job';
import { guardedWebhookTransport } from '../../shared/platform/http/webhook-transport';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { createProviders } from '../../shared/platform/providers';
import { startStatusServer, type StatusServer } from '../../shared/platform/status-page/server';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { createEcsSimulator, type EcsSimulator } from '../../sim/ecs-simulator';
import { ManualSimClock } from '../../sim/sim-clock';

/**
 * The status page as a person sees it: headless Chromium against a replication running on the
 * local runtime and the ECS simulator. CI runs on a fresh machine, so a missing browser fails
 * this test with the line that installs it, instead of skipping it.
 */
export const CHROMIUM_INSTALL = 'apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation';

/** The distribution's Chromium, or the one `npx playwright-core install chromium` downloaded (.ci/run tries both). */
const chromiumPath = (): string | undefined => {
  let downloaded: string | undefined;
  try {
    downloaded = chromium.executablePath();
  } catch {
    downloaded = undefined;
  }
  return [process.env.IMAGE_REPLICATOR_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', downloaded].find((path) => path !== undefined && path !== '' && existsSync(path));
};
const CHROMIUM = chromiumPath();
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Where the screenshot is kept for a person to look at (coverage/ is gitignored and kept by CI as an artifact folder). */
export const SCREENSHOT = resolve(__dirname, '../../coverage/status-page/status-page.png');

const ACCESS_KEY = { accessKeyId: 'LTAI-status', accessKeySecret: 'status-secret-value-xyz' };
const TOKEN = 'status-page-browser-test-token-0123456789';

const POLICY = `
version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }, { region: cn-beijing }]
  # The simulator knows no eu-central-1: this copy fails, and the page must say why.
  - name: edge
    source: { region: cn-hangzhou, select: { tags: { role: edge } } }
    destinations: [{ region: eu-central-1 }]
`;

describe('the status page in a browser, against a running local replication', () => {
  let clock: ManualSimClock;
  let simulator: EcsSimulator;
  let runtime: LocalRuntime;
  let server: StatusServer;
  let browser: Browser;
  let stateDir: string;

  /** Runs the workflow a minute of virtual time per step, as the poll timer would. */
  const advance = async (steps: number): Promise<void> => {
    for (let step = 0; step < steps; step += 1) {
      await runtime.step();
      clock.advanceSeconds(60);
    }
  };

  beforeAll(async () => {
    if (CHROMIUM === undefined) throw new Error(`Chromium is missing; this test needs it and skips nothing. Install it with: ${CHROMIUM_INSTALL}`);
    clock = new ManualSimClock('2026-11-01T00:00:00Z');
    simulator = await createEcsSimulator({
      clock,
      seed: {
        credentials: [ACCESS_KEY],
        regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'],
        copy: { bandwidthMiBps: 20, overheadSeconds: 60 },
        images: [
          { region: 'cn-hangzhou', name: 'golden-web', sizeGiB: 20, tags: { role: 'golden' } },
          { region: 'cn-hangzhou', name: 'golden-db', sizeGiB: 80, tags: { role: 'golden' } },
          { region: 'cn-hangzhou', name: 'edge-<b>cache</b>', sizeGiB: 5, tags: { role: 'edge' } },
        ],
      },
    });
    stateDir = mkdtempSync(join(tmpdir(), 'ir-status-browser-'));
    const config = parsePolicyConfig(POLICY, 'status page test');
    runtime = new LocalRuntime({
      stateDir,
      config,
      secrets: new Map(),
      providers: createProviders({ env: {}, config, alibabaDefault: explicitCredentials(ACCESS_KEY), ecsEndpoint: { endpoint: simulator.endpoint, protocol: 'http' }, wallClock: systemClock }),
      transport: guardedWebhookTransport,
      clock,
      logger: silentLogger,
      pause: async () => undefined,
    });
    await runtime.sweep();
    await advance(8);
    server = await startStatusServer({ jobs: runtime.jobs, clock, token: TOKEN, refreshSeconds: 1, maxConcurrentCopiesPerRegion: config.maxConcurrentCopiesPerRegion });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    runtime?.close();
    await simulator?.close();
    if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
  });

  it('shows every copy as a row with its state, progress and error, and keeps a screenshot', async () => {
    // Prepare
    const jobs = await runtime.jobs.list();
    const failed = jobs.find((job) => job.status === JobStatus.Failed);
    const copying = jobs.find((job) => job.status === JobStatus.Copying && (job.progressPercent ?? 0) > 0);
    const context = await browser.newContext({ httpCredentials: { username: 'ops', password: TOKEN }, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // Act
    const response = await page.goto(server.url);
    const rows = await page.locator('tr.job').count();
    const failedRow = page.locator(`tr.job[data-job-id="${failed?.id ?? ''}"]`);
    const copyingRow = page.locator(`tr.job[data-job-id="${copying?.id ?? ''}"]`);
    const headings = await page.locator('article.source h3').allInnerTexts();
    mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // Assess
    expect(response?.status()).toBe(200);
    expect(failed).toBeDefined();
    expect(copying).toBeDefined();
    expect(rows).toBe(jobs.length);
    expect(await failedRow.innerText()).toMatch(/eu-central-1\s+failed[\s\S]*DestinationRegion\.NotFound/);
    expect(await copyingRow.locator('progress').getAttribute('value')).toBe(String(Math.round(copying?.progressPercent ?? -1)));
    expect(await copyingRow.innerText()).toMatch(new RegExp(`copying[\\s\\S]*${Math.round(copying?.progressPercent ?? -1)}%[\\s\\S]*~\\d`));
    // A name that looks like markup is shown as typed, never as markup.
    expect(headings.some((text) => text.includes('Failed edge-<b>cache</b>'))).toBe(true);
    expect(await page.locator('article.source b').count()).toBe(0);
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    await context.close();
  });

  it('opens a row on click to its history and job record', async () => {
    // Prepare
    const failed = (await runtime.jobs.list()).find((job) => job.status === JobStatus.Failed);
    const context = await browser.newContext({ httpCredentials: { username: 'ops', password: TOKEN } });
    const page = await context.newPage();
    await page.goto(server.url);
    const details = page.locator(`tr.job[data-job-id="${failed?.id ?? ''}"] + tr.more details`);
    // Act
    const before = await details.locator('p').first().isVisible();
    await details.locator('summary').click();
    await details.getByRole('link', { name: 'Full job record' }).click();
    const record = await page.locator('pre.record').innerText();
    // Assess
    expect(before).toBe(false);
    expect(page.url()).toContain(`?job=${failed?.id ?? ''}`);
    expect(JSON.parse(record)).toMatchObject({ id: failed?.id, status: 'failed', lastError: { code: 'DestinationRegion.NotFound' } });
    await context.close();
  });

  it('refreshes itself: a copy that finishes shows as available without anyone reloading', async () => {
    // Prepare
    const context = await browser.newContext({ httpCredentials: { username: 'ops', password: TOKEN } });
    const page = await context.newPage();
    await page.goto(server.url);
    const availableBefore = await page.locator('tr.job.s-available').count();
    // Act
    await advance(30);
    const availableNow = (await runtime.jobs.list()).filter((job) => job.status === JobStatus.Available).length;
    // Bounded polling: the page reloads itself every second.
    let shown = availableBefore;
    for (let tries = 0; tries < 40 && shown < availableNow; tries += 1) {
      await page.waitForTimeout(250);
      shown = await page.locator('tr.job.s-available').count().catch(() => shown);
    }
    // Assess
    expect(availableNow).toBeGreaterThan(availableBefore);
    expect(shown).toBe(availableNow);
    await context.close();
  });

  it('answers a request without credentials 401 with a basic-auth challenge, showing nothing of the jobs', async () => {
    // Prepare
    const context = await browser.newContext();
    const page = await context.newPage();
    // Act
    // Headless Chromium cancels a basic-auth prompt itself; the context's own client shows the answer.
    const navigation = await page.goto(server.url).then(() => 'loaded', (error: Error) => error.message);
    const response = await context.request.get(server.url);
    const text = await response.text();
    // Assess
    expect(navigation).toContain('ERR_INVALID_AUTH_CREDENTIALS');
    expect(response.status()).toBe(401);
    expect(response.headers()['www-authenticate']).toMatch(/^Basic realm=/);
    expect(text).toContain('authentication required');
    expect(text).not.toContain('golden');
    await context.close();
  });
});
