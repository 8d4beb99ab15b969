import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../examples/webhook-receiver';
import { LocalRuntime } from '../../runtime/local-runtime';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { createProviders } from '../../shared/platform/providers';
import { AlibabaEcsImageCloud } from '../../shared/providers/alibaba-ecs/image-cloud';
import { systemClock } from '../../shared/core/domain/clock';
import { guardedWebhookTransport } from '../../shared/platform/http/webhook-transport';
import { createJsonLogger } from '../../shared/platform/logging/json-logger';
import { parsePolicyConfig, resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import { isReplicationError } from '../../shared/core/domain/errors';
import type { WebhookTransport } from '../../shared/core/ports/webhook-transport';
import { createEcsSimulator, type EcsSimulator } from '../../sim/ecs-simulator';
import { FaultKind } from '../../sim/faults';
import { ManualSimClock } from '../../sim/sim-clock';
import { FuzzRandom } from '../fuzz/kit/random';

const WEBHOOK_SECRETS = { OPS_SECRET: 'audit-ops-webhook-secret-0123456789', AUDIT_SECRET: 'audit-second-webhook-secret-9876543210' };
const STS = { accessKeyId: 'STS.audit-key-id', accessKeySecret: 'audit-sts-access-key-secret-value', securityToken: 'audit-sts-security-token-CAIS0123456789' };
const SECRETS = [...Object.values(WEBHOOK_SECRETS), STS.accessKeySecret, STS.securityToken];

const policy = (webhookUrl: string) => `
version: 1
maxConcurrentCopiesPerRegion: 3
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations:
      - region: cn-shanghai
      - region: cn-beijing
        encryption: { enabled: true, kmsKeyId: key-1 }
    maxAttempts: 2
    webhooks:
      - { name: ops, url: "${webhookUrl}", secretEnv: OPS_SECRET, allowInsecureLoopback: true }
      - { name: audit, url: "${webhookUrl}", secretEnv: AUDIT_SECRET, allowInsecureLoopback: true }
`;

/** A webhook that is down now and then: a 503, a reset, or a slow answer, seeded. */
const flaky = (inner: WebhookTransport, random: FuzzRandom, failures: string[]): WebhookTransport => ({
  async post(request) {
    const roll = random.next();
    if (roll < 0.2) {
      failures.push('503');
      return { ok: false, status: 503, error: 'Service Unavailable' };
    }
    if (roll < 0.3) {
      failures.push('network');
      return { ok: false, error: 'read ECONNRESET' };
    }
    return inner.post(request);
  },
});

/** Every string in an error, its cause chain and its details. */
const errorText = (error: unknown, depth = 0): string => {
  if (depth > 5 || error === undefined || error === null) return '';
  if (!(error instanceof Error)) return typeof error === 'string' ? error : JSON.stringify(error);
  const details = isReplicationError(error) ? JSON.stringify(error.details) : '';
  return `${error.name} ${error.message} ${details} ${errorText(error.cause, depth + 1)}`;
};

describe('secrets audit: a whole replication under faults leaks no secret anywhere it writes', () => {
  let clock: ManualSimClock;
  let simulator: EcsSimulator;
  let receiver: WebhookReceiver;
  let runtime: LocalRuntime;
  let stateDir: string;
  const logLines: string[] = [];
  const errors: unknown[] = [];
  const webhookFailures: string[] = [];

  beforeEach(async () => {
    clock = new ManualSimClock('2026-11-01T00:00:00Z');
    simulator = await createEcsSimulator({
      clock,
      seed: {
        credentials: [STS],
        regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'],
        copy: { bandwidthMiBps: 50, overheadSeconds: 60 },
        images: [
          { region: 'cn-hangzhou', name: 'golden-a', sizeGiB: 20, tags: { role: 'golden' } },
          { region: 'cn-hangzhou', name: 'golden-b', sizeGiB: 40, tags: { role: 'golden' } },
          { region: 'cn-hangzhou', name: 'golden-c', sizeGiB: 10, tags: { role: 'golden' } },
        ],
        randomSeed: 7,
      },
    });
    simulator.faults.configure({
      actions: { '*': { throttle: 0.1, internalError: 0.05, serviceUnavailable: 0.05, lostAnswer: 0.05, noAnswer: 0.02 } },
      copyFailureProbability: 0.25,
    });
    // The random faults above are seeded, but which request meets them depends on timing: script
    // one of each kind the audit relies on, so every run goes through those paths.
    simulator.faults.injectNext('CopyImage', FaultKind.CopyFailure);
    simulator.faults.injectNext('CopyImage', FaultKind.LostAnswer);
    simulator.faults.injectNext('DescribeImages', FaultKind.Throttle);
    // Signatures carry real time, whatever clock the workflow runs on: the receiver checks against its own.
    receiver = await startWebhookReceiver({ secret: WEBHOOK_SECRETS.OPS_SECRET });
    const config = parsePolicyConfig(policy(receiver.url), 'audit');
    stateDir = mkdtempSync(join(tmpdir(), 'ir-audit-'));
    logLines.length = 0;
    errors.length = 0;
    webhookFailures.length = 0;
    runtime = new LocalRuntime({
      stateDir,
      config,
      secrets: resolveWebhookSecrets(config, WEBHOOK_SECRETS),
      providers: createProviders({
        env: {},
        config,
        alibabaDefault: explicitCredentials(STS),
        ecsEndpoint: { endpoint: simulator.endpoint, protocol: 'http' },
        ecsTuning: { readTimeoutMs: 300, connectTimeoutMs: 300, retry: { maxAttempts: 2, backoffPeriod: 1, maxDelayMs: 10 } },
        wallClock: systemClock,
      }),
      transport: flaky(guardedWebhookTransport, new FuzzRandom(11), webhookFailures),
      clock,
      // No values to redact: the audit checks that nothing secret reaches a log line in the first place.
      logger: createJsonLogger({ level: 'debug', sink: (line) => logLines.push(line), clock: () => clock.now() }),
      pause: async () => undefined,
      invoke: (_name, invocation) =>
        invocation().catch((error: unknown) => {
          errors.push(error);
          throw error;
        }),
    });
  });

  afterEach(async () => {
    runtime.close();
    await receiver.close();
    await simulator.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const runToIdle = async (maxSteps: number): Promise<number> => {
    for (let step = 1; step <= maxSteps; step += 1) {
      // A failed poll-status timer escapes step() (FC would just log it); the invoke hook already kept the error.
      await runtime.step().catch(() => undefined);
      const snapshot = await runtime.snapshot();
      if (snapshot.inFlightJobs === 0 && snapshot.queued.startCopy === 0 && snapshot.queued.notify === 0) return step;
      clock.advanceSeconds(60);
    }
    return maxSteps;
  };

  it('keeps the access key secret, the STS token and the webhook secrets out of logs, errors, dead letters, jobs and notifications', async () => {
    // Prepare
    await runtime.startCopyQueue.send('{"type":"replication.requested","version":1,"origin":"audit"}');
    await runtime.startCopyQueue.send('not json at all');

    // Act
    await runtime.sweep().catch(() => undefined);
    await runToIdle(300);
    const deadLetters = await runtime.deadLetters.receive(100, 60);
    const jobs = await runtime.jobs.list();

    // Assess
    const places: Record<string, string> = {
      logs: logLines.join('\n'),
      errors: errors.map((error) => errorText(error)).join('\n'),
      deadLetters: deadLetters.map((letter) => letter.body).join('\n'),
      jobs: JSON.stringify(jobs),
      notifications: JSON.stringify(receiver.received.map((n) => n.body)),
    };
    const leaks = Object.entries(places).flatMap(([place, text]) =>
      SECRETS.filter((secret) => text.includes(secret)).map((secret) => `${place} contains ${secret.slice(0, 12)}…`),
    );
    expect(leaks).toEqual([]);
    const faults = simulator.faults.counts();
    expect(faults.throttle + faults.internalError + faults.serviceUnavailable).toBeGreaterThan(0);
    expect(faults.lostAnswer + faults.noAnswer).toBeGreaterThan(0);
    expect(faults.copyFailure).toBeGreaterThan(0);
    expect(webhookFailures.length).toBeGreaterThan(0);
    expect(deadLetters.length).toBeGreaterThanOrEqual(2);
    expect(receiver.received.length).toBeGreaterThan(0);
    expect(logLines.length).toBeGreaterThan(50);
    console.info(
      `audit: ${logLines.length} log lines, ${errors.length} invocation errors, ${deadLetters.length} dead letters, ${jobs.length} jobs, ` +
        `${receiver.received.length} notifications, ${webhookFailures.length} webhook failures, faults ${JSON.stringify(faults)}`,
    );
  });

  it('keeps a wrong access key secret and the STS token out of the error a refused signature produces', async () => {
    // Prepare
    const wrong = { ...STS, accessKeySecret: 'audit-wrong-access-key-secret-value' };
    const images = new AlibabaEcsImageCloud({ credentials: explicitCredentials(wrong), endpoint: { endpoint: simulator.endpoint, protocol: 'http' }, retry: { maxAttempts: 1 } });
    simulator.faults.clear();

    // Act
    const error: unknown = await images.listImages('cn-hangzhou', { states: ['available'] }).catch((caught: unknown) => caught);

    // Assess
    expect(isReplicationError(error) && error.retryable).toBe(false);
    const text = errorText(error);
    expect(text).toMatch(/Signature/);
    expect([wrong.accessKeySecret, wrong.securityToken].filter((secret) => text.includes(secret))).toEqual([]);
  });
});
