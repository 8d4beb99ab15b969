import { readFileSync } from 'node:fs';
import { POLL_TIMER_SECONDS } from '../../shared/core/domain/look-schedule';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { FunctionEnv, loadFunctionEnv } from '../../shared/platform/fc/function-env';
import { parsePolicyConfig } from '../../shared/core/config/load-policy-config';
import {
  DISPATCH_LEASE_SECONDS,
  START_COPY_TIMEOUT_SECONDS,
  WEBHOOK_BACKOFF_BASE_MS,
  WEBHOOK_TIMEOUT_MS,
  WEBHOOK_TRIES_PER_INVOCATION,
  webhookBackoffMs,
} from '../../shared/core/domain/retry-policy';
import { FUNCTIONS } from '../../scripts/build';
import { StatusPageEnv } from '../../functions/status-page/env';
import type { DefaultBusTrigger, HttpTrigger, MnsQueueTrigger, TimerTrigger } from './fc3-schema';
import { Fc3Stage, type FunctionProps, isValidFcCron } from './fc3-schema';
import { PREVIEW_ENV, renderStage, ROOT, STAGES } from './s-preview';

const FAKE_ACCOUNT = '1234567890123456';
/**
 * Every function s.yaml deploys. The status page's bundle is built by test/deploy/status-page-bundle
 * until scripts/build.ts lists it in FUNCTIONS (then this set holds it once).
 */
const DEPLOYED = [...new Set<string>([...FUNCTIONS, 'status-page'])];
/** Variables a function reads besides function-env.ts, by function. */
const OWN_VARIABLES: Readonly<Record<string, readonly string[]>> = { 'status-page': Object.keys(StatusPageEnv.shape) };
const withAccount = (text: string): string => text.split("${config('AccountID')}").join(FAKE_ACCOUNT);

const webhookSecretNames = (): string[] => {
  const policy = parsePolicyConfig(readFileSync(join(ROOT, 'examples/policy.yaml'), 'utf8'), 'examples/policy.yaml');
  return [...new Set(policy.policies.flatMap((p) => p.webhooks.map((hook) => hook.secretEnv)))];
};

type Parsed<T extends z.ZodType> = z.output<T>;
const timersOf = (props: FunctionProps): Parsed<typeof TimerTrigger>[] =>
  props.triggers.filter((t): t is Parsed<typeof TimerTrigger> => t.triggerType === 'timer');
const queueTriggersOf = (props: FunctionProps): Parsed<typeof MnsQueueTrigger>[] =>
  props.triggers.filter((t): t is Parsed<typeof MnsQueueTrigger> => t.triggerType === 'eventbridge' && t.triggerConfig.eventSourceConfig.eventSourceType === 'MNS');
const httpTriggersOf = (props: FunctionProps): Parsed<typeof HttpTrigger>[] => props.triggers.filter((t): t is Parsed<typeof HttpTrigger> => t.triggerType === 'http');
const defaultBusTriggersOf = (props: FunctionProps): Parsed<typeof DefaultBusTrigger>[] =>
  props.triggers.filter((t): t is Parsed<typeof DefaultBusTrigger> => t.triggerType === 'eventbridge' && t.triggerConfig.eventSourceConfig.eventSourceType === 'Default');

describe('s.yaml and its stages', () => {
  const rendered = new Map<string, unknown>();

  beforeAll(() => {
    for (const stage of STAGES) rendered.set(stage, renderStage(stage));
  });

  const stage = (name: string): Fc3Stage => Fc3Stage.parse(rendered.get(name));

  it.each(STAGES)('%s renders offline with s preview into the fc3 properties we use', (name) => {
    // Prepare
    const output = rendered.get(name);
    // Act
    const result = Fc3Stage.safeParse(output);
    // Assess
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it.each(STAGES)('%s deploys one function per bundle, from its own dist folder', (name) => {
    // Prepare
    const { resources } = stage(name);
    // Act
    const codes = Object.fromEntries(Object.entries(resources).map(([key, resource]) => [key, resource.props.code]));
    // Assess
    expect(codes).toEqual(Object.fromEntries(DEPLOYED.map((fn) => [fn, `./dist/${fn}`])));
  });

  it('gives the production stage its own names and region, so both can live in one account', () => {
    // Prepare
    const names = (s: Fc3Stage) => [
      ...Object.values(s.resources).map((r) => r.props.functionName),
      ...Object.values(s.resources).map((r) => r.props.role),
      ...Object.values(s.resources).flatMap((r) => Object.entries(r.props.environmentVariables).filter(([k]) => k.endsWith('_QUEUE')).map(([, v]) => v)),
    ];
    // Act
    const shared = names(stage('s.yaml')).filter((n) => names(stage('s.prod.yaml')).includes(n));
    // Assess
    expect(shared).toEqual([]);
    expect(stage('s.prod.yaml').vars.region).not.toBe(stage('s.yaml').vars.region);
  });

  it.each(STAGES)('%s sets exactly the variables function-env.ts reads, and they validate', (name) => {
    // Prepare
    const secrets = webhookSecretNames();
    const required = Object.entries(FunctionEnv.shape)
      .filter(([, schema]) => !schema.safeParse(undefined).success)
      .map(([key]) => key);
    for (const [fn, resource] of Object.entries(stage(name).resources)) {
      const env = Object.fromEntries(Object.entries(resource.props.environmentVariables).map(([k, v]) => [k, withAccount(v)]));
      // Act
      const unknown = Object.keys(env).filter((key) => !(key in FunctionEnv.shape) && !secrets.includes(key) && !(OWN_VARIABLES[fn] ?? []).includes(key));
      const parsed = (() => {
        try {
          return loadFunctionEnv(env);
        } catch (error) {
          return (error as Error).message;
        }
      })();
      // Assess
      expect({ fn, unknown }).toEqual({ fn, unknown: [] });
      expect(required.filter((key) => !(key in env))).toEqual([]);
      expect(typeof parsed === 'string' ? `${fn}: ${parsed}` : parsed.IMAGE_REPLICATOR_REGION).toBe(stage(name).vars.region);
      expect(env.IMAGE_REPLICATOR_POLICY_FILE).toBe('./policy.yaml');
    }
  });

  it('gives only notify the webhook secrets, each read from the deploying environment', () => {
    // Prepare
    const raw = parseYaml(readFileSync(join(ROOT, 's.yaml'), 'utf8'), { merge: true }) as { vars: Record<string, Record<string, string>> };
    const secrets = webhookSecretNames();
    const { resources } = stage('s.yaml');
    // Act
    const rawNotifyEnv = raw.vars.notifyEnv ?? {};
    // Assess
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(rawNotifyEnv[secret]).toBe(`\${env('${secret}')}`);
      expect(resources.notify?.props.environmentVariables[secret]).toBe(PREVIEW_ENV[secret as keyof typeof PREVIEW_ENV]);
      expect(resources['start-copy']?.props.environmentVariables).not.toHaveProperty(secret);
      expect(resources['poll-status']?.props.environmentVariables).not.toHaveProperty(secret);
      expect(resources['status-page']?.props.environmentVariables).not.toHaveProperty(secret);
    }
  });

  it('gives only the status page its token, read from the deploying environment', () => {
    // Prepare
    const raw = parseYaml(readFileSync(join(ROOT, 's.yaml'), 'utf8'), { merge: true }) as { vars: Record<string, Record<string, string>> };
    const { resources } = stage('s.yaml');
    // Act
    const holders = Object.entries(resources).filter(([, r]) => 'IMAGE_REPLICATOR_STATUS_TOKEN' in r.props.environmentVariables).map(([fn]) => fn);
    // Assess
    expect(raw.vars.statusEnv?.IMAGE_REPLICATOR_STATUS_TOKEN).toBe("${env('IMAGE_REPLICATOR_STATUS_TOKEN')}");
    expect(holders).toEqual(['status-page']);
    expect(StatusPageEnv.safeParse(resources['status-page']?.props.environmentVariables).success).toBe(true);
  });

  it.each(STAGES)('%s serves the status page read only over HTTP, the function checking the token itself', (name) => {
    // Prepare
    const props = stage(name).resources['status-page']?.props;
    // Act
    const triggers = props ? httpTriggersOf(props) : [];
    // Assess
    expect(props?.triggers).toHaveLength(1);
    expect(triggers.map((t) => t.triggerConfig)).toEqual([{ authType: 'anonymous', disableURLInternet: false, methods: ['GET', 'HEAD'] }]);
    expect(props?.handler).toBe('index.handler');
  });

  it('keeps poll-status well inside its one-minute timer', () => {
    // Prepare
    const props = stage('s.yaml').resources['poll-status']?.props;
    // Act
    const timers = props ? timersOf(props).map((t) => t.triggerConfig.cronExpression) : [];
    // Assess
    expect(timers).toEqual(['@every 1m']);
    expect(props?.timeout).toBeLessThanOrEqual(50);
  });

  it('ticks poll-status at the interval its look schedule assumes', () => {
    // Prepare
    const props = stage('s.yaml').resources['poll-status']?.props;
    // Act
    const [cron] = props ? timersOf(props).map((t) => t.triggerConfig.cronExpression) : [];
    // Assess
    expect(cron).toBe(`@every ${POLL_TIMER_SECONDS / 60}m`);
  });

  it.each(STAGES)('%s runs one notify instance at a time, so the chat rate limits its outbox keeps hold', (name) => {
    // Act
    const props = stage(name).resources.notify?.props;
    // Assess
    expect(props?.concurrencyConfig).toEqual({ reservedConcurrency: 1 });
  });

  it.each(STAGES)('%s deploys start-copy with the timeout the dispatch lease outlasts', (name) => {
    // Prepare
    const props = stage(name).resources['start-copy']?.props;
    // Act
    const timeout = props?.timeout;
    // Assess
    expect(timeout).toBe(START_COPY_TIMEOUT_SECONDS);
    expect(DISPATCH_LEASE_SECONDS).toBeGreaterThan(timeout ?? Number.POSITIVE_INFINITY);
  });

  it('gives notify time for every try of five webhooks in each message of a batch', () => {
    // Prepare
    const props = stage('s.yaml').resources.notify?.props;
    const perWebhookMs =
      WEBHOOK_TRIES_PER_INVOCATION * WEBHOOK_TIMEOUT_MS +
      Array.from({ length: WEBHOOK_TRIES_PER_INVOCATION - 1 }, (_, i) => webhookBackoffMs(i + 1)).reduce((a, b) => a + b, 0);
    const [trigger] = props ? queueTriggersOf(props) : [];
    // Act
    const batch = trigger?.triggerConfig.runOptions.batchWindow.CountBasedWindow ?? Number.NaN;
    // Assess
    expect(WEBHOOK_BACKOFF_BASE_MS).toBeGreaterThan(0);
    expect((props?.timeout ?? 0) * 1000).toBeGreaterThanOrEqual(batch * 5 * perWebhookMs);
  });

  it('runs the nightly sweep at 02:00 Asia/Shanghai, which is 18:00 UTC', () => {
    // Prepare
    const props = stage('s.yaml').resources['start-copy']?.props;
    // Act
    const [cron] = props ? timersOf(props).map((t) => t.triggerConfig.cronExpression) : [];
    const [second, minute, hour] = (cron ?? '').split(' ').map(Number);
    // Assess
    expect(isValidFcCron(cron ?? '')).toBe(true);
    expect([second, minute, ((hour ?? 0) + 8) % 24]).toEqual([0, 0, 2]);
  });

  it.each(STAGES)('%s filters ActionTrail events with the pattern kept in deploy/eventbridge', (name) => {
    // Prepare
    const file = JSON.parse(readFileSync(join(ROOT, 'deploy/eventbridge/image-created-pattern.json'), 'utf8')) as unknown;
    const props = stage(name).resources['start-copy']?.props;
    // Act
    const patterns = props ? defaultBusTriggersOf(props).map((t) => t.triggerConfig.eventRuleFilterPattern) : [];
    // Assess
    expect(patterns).toEqual([file]);
  });

  it.each(STAGES)('%s wires each queue trigger to its queue, its event stream and the dead-letter queue', (name) => {
    // Prepare
    const { resources, vars } = stage(name);
    const wanted = { 'start-copy': 'IMAGE_REPLICATOR_START_COPY_QUEUE', notify: 'IMAGE_REPLICATOR_NOTIFY_QUEUE', 'poll-status': 'IMAGE_REPLICATOR_POLL_QUEUE' } as const;
    for (const [fn, envName] of Object.entries(wanted)) {
      const props = resources[fn]?.props;
      // Act
      const queueTriggers = props ? queueTriggersOf(props) : [];
      // Assess
      expect(queueTriggers).toHaveLength(1);
      const [trigger] = queueTriggers;
      const config = trigger?.triggerConfig;
      expect(config?.eventSourceConfig.eventSourceParameters.sourceMNSParameters.QueueName).toBe(props?.environmentVariables[envName]);
      // FC names the event stream MNS-<function>-<trigger>; the rule must select exactly it.
      expect(config?.eventRuleFilterPattern).toEqual({ source: [`MNS-${props?.functionName}-${trigger?.triggerName}`] });
      expect(config?.runOptions.deadLetterQueue.Arn).toBe(`acs:mns:${String(vars.region)}:\${config('AccountID')}:/queues/${String(vars.deadLetterQueue)}`);
      expect(config?.runOptions.retryStrategy.MaximumRetryAttempts).toBeGreaterThan(0);
    }
  });

  it('accepts FC cron forms and refuses malformed ones', () => {
    // Prepare
    const good = ['0 0 18 * * *', '@every 1m', '@every 2h', '0 */5 * * * *', '0 0 1-5 ? * 1,3', '30 15 2 1 1 ?'];
    const bad = ['0 18 * * *', '@every 0m', '@every 30s', '60 0 0 * * *', '0 0 24 * * *', '0 0 5-1 * * *', '0 0 0 0 * *', 'every minute'];
    // Act
    const verdicts = [...good, ...bad].map((cron) => [cron, isValidFcCron(cron)]);
    // Assess
    expect(verdicts).toEqual([...good.map((c) => [c, true]), ...bad.map((c) => [c, false])]);
  });
});
