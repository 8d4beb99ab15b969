import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mnsOpenApi, queuePlan, readStageVars, setupCloud, StageVars } from '../../scripts/setup-cloud';
import { ManualClock } from '../../shared/core/domain/clock';
import { MnsWireServer } from '../fakes/mns-wire/mns-wire-server';
import { TablestoreWireFake } from '../fakes/tablestore-wire/server';
import { Fc3Stage } from './fc3-schema';
import { MnsOpenFake } from './mns-open-fake';
import { renderStage, ROOT, STAGES } from './s-preview';

const CREDENTIALS = {
  accessKeyId: 'LTAI-setup-test',
  accessKeySecret: 'setup-secret-never-printed-0123',
  securityToken: 'setup-sts-token-never-printed',
} as const;

const runScript = (args: readonly string[], env: Record<string, string>) => {
  const home = mkdtempSync(join(tmpdir(), 'setup-home-'));
  try {
    return spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/setup-cloud.ts', ...args], {
      cwd: ROOT,
      // No credentials anywhere: an empty home, no ALIBABA_* variables, and the instance-metadata
      // provider switched off so the chain does not try 100.100.100.200.
      env: { PATH: process.env.PATH ?? '', HOME: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
};

describe('npm run setup:cloud', () => {
  const closers: Array<() => Promise<void>> = [];

  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it.each(STAGES)('reads the same names from %s as Serverless Devs renders', (stage) => {
    // Prepare
    const rendered = Fc3Stage.parse(renderStage(stage)).vars;
    // Act
    const vars = readStageVars(join(ROOT, stage));
    // Assess
    expect(vars).toEqual(StageVars.parse(rendered));
  });

  it('keeps each message hidden longer than the function consuming it may run', () => {
    // Prepare
    const { resources } = Fc3Stage.parse(renderStage('s.yaml'));
    const vars = readStageVars(join(ROOT, 's.yaml'));
    const consumers = {
      [vars.startCopyQueue]: resources['start-copy']?.props.timeout,
      [vars.notifyQueue]: resources.notify?.props.timeout,
      [vars.pollQueue]: resources['poll-status']?.props.timeout,
    };
    // Act
    const plan = queuePlan(vars);
    // Assess
    for (const queue of plan.filter((q) => q.queueName in consumers)) {
      expect(queue.settings.visibilityTimeout).toBeGreaterThan(consumers[queue.queueName] ?? Number.POSITIVE_INFINITY);
      expect(queue.deadLetterTo).toBe(vars.deadLetterQueue);
    }
    expect(plan.map((q) => q.queueName)).toEqual([vars.startCopyQueue, vars.notifyQueue, vars.pollQueue, vars.deadLetterQueue]);
    expect(plan.find((q) => q.queueName === vars.deadLetterQueue)?.deadLetterTo).toBeUndefined();
  });

  it('refuses to run without credentials, saying how to provide them', () => {
    // Prepare
    const args = ['--account-id', '1234567890123456'];
    // Act
    const result = runScript(args, {});
    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no Alibaba Cloud credentials found');
    expect(result.stderr).toContain('Nothing was created');
  });

  it('refuses to run without an account id', () => {
    // Prepare
    const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: CREDENTIALS.accessKeySecret };
    // Act
    const result = runScript([], env);
    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--account-id');
    expect(result.stderr).not.toContain(CREDENTIALS.accessKeySecret);
  });

  it('creates queues, dead-letter policies and the table at the wire, then finds them on a second run', async () => {
    // Prepare
    const mns = new MnsWireServer({ ...CREDENTIALS, clock: new ManualClock() });
    const { endpoint: mnsEndpoint } = await mns.start();
    const ots = await TablestoreWireFake.start({ ...CREDENTIALS, instanceName: 'replicator-test' });
    const open = new MnsOpenFake(CREDENTIALS);
    const { host } = await open.start();
    closers.push(() => mns.close(), () => ots.close(), () => open.close());
    const vars = { ...readStageVars(join(ROOT, 's.yaml')), otsInstance: 'replicator-test' };
    const lines: string[] = [];
    const targets = {
      vars,
      accountId: '1234567890123456',
      credentials: CREDENTIALS,
      mnsEndpoint,
      otsEndpoint: ots.endpoint,
      deadLetters: mnsOpenApi(vars.region, CREDENTIALS, { host, protocol: 'http' }),
      print: (line: string) => lines.push(line),
    };
    // Act
    const first = await setupCloud(targets);
    const second = await setupCloud(targets);
    // Assess
    expect(first.queues.map((q) => [q.action, q.deadLetter])).toEqual([['created', 'set'], ['created', 'set'], ['created', 'set'], ['created', 'none']]);
    expect(second.queues.map((q) => [q.action, q.deadLetter])).toEqual([['found', 'found'], ['found', 'found'], ['found', 'found'], ['found', 'none']]);
    expect([first.table.action, second.table.action]).toEqual(['created', 'found']);
    for (const planned of queuePlan(vars)) {
      expect(mns.queues.get(planned.queueName).attributes).toMatchObject({
        visibilityTimeout: planned.settings.visibilityTimeout,
        messageRetentionPeriod: planned.settings.messageRetentionPeriod,
        maximumMessageSize: planned.settings.maximumMessageSize,
      });
    }
    expect(open.policies.get(vars.startCopyQueue)).toEqual({ Enabled: true, DeadLetterTargetQueue: vars.deadLetterQueue, MaxReceiveCount: 5 });
    expect(new Set(open.calls.map((c) => c.version))).toEqual(new Set(['2022-01-19']));
    expect(lines.join('\n')).not.toMatch(new RegExp(`${CREDENTIALS.accessKeySecret}|${CREDENTIALS.securityToken}`));
  });
});
