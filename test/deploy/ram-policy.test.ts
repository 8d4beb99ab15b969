import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ECS_ACTIONS_USED, ESS_ACTIONS_USED } from '../../shared/providers/alibaba-ecs/image-cloud';
import { readStageVars } from '../../scripts/setup-cloud';
import { ROOT, STAGES } from './s-preview';

const Statement = z
  .object({
    Effect: z.literal('Allow'),
    Action: z.array(z.string()).min(1),
    Resource: z.array(z.string()).min(1),
    Condition: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  })
  .strict();
const RamPolicy = z.object({ Version: z.literal('1'), Statement: z.array(Statement).min(1) }).strict();

const policyText = readFileSync(join(ROOT, 'deploy/ram-policy.json'), 'utf8');
const policy = RamPolicy.parse(JSON.parse(policyText));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

const actionsOf = (service: string): string[] =>
  policy.Statement.flatMap((s) => s.Action)
    .filter((action) => action.startsWith(`${service}:`))
    .sort();
const resourcesOf = (service: string): string[] =>
  policy.Statement.filter((s) => s.Action.some((a) => a.startsWith(`${service}:`))).flatMap((s) => s.Resource);

const pascal = (operation: string): string => operation.charAt(0).toUpperCase() + operation.slice(1);

/** Tablestore calls only `setup:cloud` makes, with the deployer's credentials, never a function. */
const SETUP_ONLY_OTS = new Set(['createTable', 'listTable', 'describeTable', 'updateTable', 'deleteTable']);

/** What each method of the MessageQueue port does on MNS; a new method must be mapped here. */
const MNS_ACTION_OF_PORT_METHOD: Readonly<Record<string, string>> = { send: 'mns:SendMessage' };

const tsFilesUnder = (dir: string): string[] =>
  readdirSync(join(ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(join(ROOT, path)).isDirectory()) return tsFilesUnder(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });

describe('the functions RAM policy (deploy/ram-policy.json)', () => {
  it('allows exactly the ECS and Auto Scaling actions the Alibaba adapter calls', () => {
    // Prepare
    const source = ['image-cloud.ts', 'ecs-extras.ts', 'image-users.ts'].map((file) => read(`shared/providers/alibaba-ecs/${file}`)).join('\n');
    const known: readonly string[] = [...ECS_ACTIONS_USED, ...ESS_ACTIONS_USED];
    // Act
    const invoked = [...source.matchAll(/\b(?:invoke|call)\(\s*'([A-Za-z]+)'/g)].map((m) => m[1] ?? '');
    // Assess
    expect(invoked.length).toBeGreaterThan(0);
    expect([...new Set(invoked)].filter((action) => !known.includes(action))).toEqual([]);
    expect(actionsOf('ecs')).toEqual(ECS_ACTIONS_USED.map((action) => `ecs:${action}`).sort());
    expect(actionsOf('ess')).toEqual(ESS_ACTIONS_USED.map((action) => `ess:${action}`).sort());
  });

  it('lets the functions delete and change only images and snapshots carrying the managed tag', () => {
    // Act
    const destructive = policy.Statement.filter((s) => s.Action.some((a) => ['ecs:DeleteImage', 'ecs:DeleteSnapshot', 'ecs:CancelCopyImage', 'ecs:ModifyImageAttribute'].includes(a)));
    // Assess
    expect(destructive.length).toBeGreaterThan(0);
    expect(destructive.every((s) => JSON.stringify(s.Condition) === JSON.stringify({ StringEquals: { 'acs:ResourceTag/image-replicator:managed': 'true' } }))).toBe(true);
    expect(destructive.flatMap((s) => s.Action).filter((a) => a.startsWith('ecs:Describe') || a === 'ecs:CopyImage')).toEqual([]);
  });

  it('allows exactly the Tablestore row operations the job store makes, on the one table', () => {
    // Prepare
    const source = read('shared/stores/tablestore/tablestore-job-store.ts');
    // Act
    const operations = [...new Set([...source.matchAll(/#client\.([a-zA-Z]+)\(/g)].map((m) => m[1] ?? ''))];
    const rowOperations = operations.filter((op) => !SETUP_ONLY_OTS.has(op)).map((op) => `ots:${pascal(op)}`);
    // Assess
    expect(rowOperations.length).toBeGreaterThan(0);
    expect(actionsOf('ots')).toEqual(rowOperations.sort());
    expect(resourcesOf('ots')).toEqual(['acs:ots:{{region}}:{{accountId}}:instance/{{otsInstance}}/table/{{table}}']);
  });

  it('allows MNS sends on the three queues and nothing the functions do not do', () => {
    // Prepare
    const port = read('shared/core/ports/message-queue.ts');
    const producerPort = /export interface MessageQueue \{([\s\S]*?)\n\}/.exec(port)?.[1] ?? '';
    // Act
    const methods = [...producerPort.matchAll(/^\s{2}(\w+)\(/gm)].map((m) => m[1] ?? '');
    const unmapped = methods.filter((method) => !(method in MNS_ACTION_OF_PORT_METHOD));
    // The pulling side of the port (receive, ack) is the trigger's job in the cloud, not a function's.
    const consumersInFunctions = [...tsFilesUnder('functions'), ...tsFilesUnder('shared/platform'), ...tsFilesUnder('shared/core/use-cases')]
      .filter((file) => /\bQueueConsumer\b|\.receive\(|\.ack\(|\.retryLater\(/.test(read(file)))
      .map((file) => relative(ROOT, join(ROOT, file)));
    // Assess
    expect(methods).toEqual(['send']);
    expect(unmapped).toEqual([]);
    expect(consumersInFunctions).toEqual([]);
    expect(actionsOf('mns')).toEqual(methods.map((m) => MNS_ACTION_OF_PORT_METHOD[m]).sort());
    expect(resourcesOf('mns')).toEqual(['startCopyQueue', 'notifyQueue', 'pollQueue', 'deadLetterQueue'].map((q) => `acs:mns:{{region}}:{{accountId}}:/queues/{{${q}}}`));
  });

  it('grants nothing beyond ECS, Auto Scaling, Tablestore and MNS, and no wildcard action or resource', () => {
    // Prepare: Auto Scaling grants its list actions per operation, not per resource, so its one
    // read-only statement names every resource; no other statement may.
    const actions = policy.Statement.flatMap((s) => s.Action);
    const essReads = policy.Statement.filter((s) => s.Action.every((a) => /^ess:Describe[A-Za-z]+$/.test(a)));
    const resources = policy.Statement.filter((s) => !essReads.includes(s)).flatMap((s) => s.Resource);
    // Act
    const otherServices = actions.filter((a) => !/^(ecs|ess|ots|mns):[A-Za-z]+$/.test(a));
    const wildResources = resources.filter((r) => r === '*' || /:\*$/.test(r));
    // Assess
    expect(otherServices).toEqual([]);
    expect(wildResources).toEqual([]);
    expect(essReads.map((s) => [s.Action, s.Resource, s.Condition])).toEqual([[['ess:DescribeScalingConfigurations'], ['*'], undefined]]);
  });

  it.each(STAGES)('renders for %s with every placeholder filled from the stage vars', (stage) => {
    // Prepare
    const vars: Record<string, string> = { ...readStageVars(join(ROOT, stage)), accountId: '1234567890123456' };
    // Act
    const rendered = policyText.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => vars[key] ?? whole);
    // Assess
    expect(rendered).not.toMatch(/\{\{|\}\}/);
    expect(rendered).toContain(`/queues/${vars.deadLetterQueue}"`);
    expect(rendered).toContain(`instance/${vars.otsInstance}/table/${vars.table}"`);
  });

  it('lets only Function Compute assume the role', () => {
    // Prepare
    const trust = JSON.parse(read('deploy/ram-trust-policy.json')) as unknown;
    // Act
    const principals = z
      .object({ Statement: z.array(z.object({ Action: z.literal('sts:AssumeRole'), Effect: z.literal('Allow'), Principal: z.object({ Service: z.array(z.string()) }).strict() })) })
      .parse(trust)
      .Statement.flatMap((s) => s.Principal.Service);
    // Assess
    expect(principals).toEqual(['fc.aliyuncs.com']);
  });
});
