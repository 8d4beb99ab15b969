/**
 * `npm run setup:cloud [-- --stage s.prod.yaml] [--account-id 123…]`: creates what the functions
 * need before the first deploy, and only that: the three MNS queues with their attributes and
 * dead-letter policies, and the Tablestore job table. Idempotent: run it again and it reports what
 * it found, converging attributes that drifted. Names and region come from the stage file's vars,
 * so s.yaml stays the one place they are written.
 *
 * Credentials come from the standard chain (@alicloud/credentials): ALIBABA_CLOUD_ACCESS_KEY_ID /
 * _SECRET (/ _SECURITY_TOKEN), or the aliyun CLI profile. The account id comes from --account-id
 * or ALIBABA_CLOUD_ACCOUNT_ID. Not done here: the Tablestore instance and the RAM role
 * (docs/deploy.md gives the commands).
 */
import Credential from '@alicloud/credentials';
import OpenApi, { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { MnsMessageQueue, MNS_MAX_MESSAGE_BYTES, type MnsCredentials, type MnsQueueSettings } from '../shared/stores/mns/mns-message-queue';
import { TablestoreJobStore } from '../shared/stores/tablestore/tablestore-job-store';
import { rpcParams } from '../shared/providers/alibaba-ecs/rpc';
import * as z from '../shared/core/zod';

// ---------------------------------------------------------------------------------------------
// The stage file's vars

const name = z.string().check(z.minLength(1));
export const StageVars = z.object({
  region: z.string().check(z.regex(/^[a-z]{2,}(-[a-z0-9]+)+$/)),
  otsInstance: z.string().check(z.regex(/^[a-zA-Z][a-zA-Z0-9-]{2,15}$/)),
  table: name,
  startCopyQueue: name,
  notifyQueue: name,
  pollQueue: name,
  deadLetterQueue: name,
  roleName: name,
});
export type StageVars = z.infer<typeof StageVars>;

type VarTree = Record<string, unknown>;
const isTree = (value: unknown): value is VarTree => typeof value === 'object' && value !== null && !Array.isArray(value);

const mergeVars = (base: VarTree, over: VarTree): VarTree => {
  const merged: VarTree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isTree(current) && isTree(value) ? mergeVars(current, value) : value;
  }
  return merged;
};

const readVarTree = (file: string, seen: readonly string[] = []): VarTree => {
  if (seen.includes(file)) throw new Error(`${file} extends itself`);
  if (!existsSync(file)) throw new Error(`stage file ${file} does not exist`);
  const doc = z.parse(
    z.looseObject({ extend: z.optional(z.string()), vars: z.optional(z.record(z.string(), z.unknown())) }),
    parseYaml(readFileSync(file, 'utf8')),
  );
  const own = doc.vars ?? {};
  return doc.extend === undefined ? own : mergeVars(readVarTree(resolve(dirname(file), doc.extend), [...seen, file]), own);
};

/** Only `${vars.x}` is resolved: config(), env() and the like are Serverless Devs' business. */
const resolveVar = (vars: VarTree, key: string, depth = 0): unknown => {
  const value = vars[key];
  if (typeof value !== 'string') return value;
  if (depth > 10) throw new Error(`vars.${key} refers to itself`);
  return value.replace(/\$\{vars\.([A-Za-z0-9_]+)\}/g, (_, ref: string) => String(resolveVar(vars, ref, depth + 1)));
};

/** The names this script needs, as `s preview` would render them from the stage file. */
export const readStageVars = (stageFile: string): StageVars => {
  const tree = readVarTree(resolve(stageFile));
  const resolved = Object.fromEntries(Object.keys(StageVars.shape).map((key) => [key, resolveVar(tree, key)]));
  const parsed = z.safeParse(StageVars, resolved);
  if (!parsed.success) {
    throw new Error(`${stageFile} vars: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
};

// ---------------------------------------------------------------------------------------------
// What to create

/** How many receives before a message moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

export interface QueuePlan {
  readonly queueName: string;
  readonly settings: MnsQueueSettings;
  readonly deadLetterTo?: string | undefined;
}

/**
 * Visibility outlasts the consuming function's timeout (s.yaml: start-copy 300 s, notify 120 s) so
 * a message is not handed out twice while its first delivery still runs. 64 KB is the service
 * maximum, which the MNS adapter's size check assumes. Dead letters are kept the longest (7 days,
 * the maximum) because a person has to read them.
 */
export const queuePlan = (vars: StageVars): QueuePlan[] => [
  {
    queueName: vars.startCopyQueue,
    settings: { visibilityTimeout: 360, messageRetentionPeriod: 345_600, maximumMessageSize: MNS_MAX_MESSAGE_BYTES, pollingWaitSeconds: 0 },
    deadLetterTo: vars.deadLetterQueue,
  },
  {
    queueName: vars.notifyQueue,
    settings: { visibilityTimeout: 180, messageRetentionPeriod: 345_600, maximumMessageSize: MNS_MAX_MESSAGE_BYTES, pollingWaitSeconds: 0 },
    deadLetterTo: vars.deadLetterQueue,
  },
  {
    // A look is worth seconds: poll-status runs at most 45 s, and one that waited an hour is stale.
    queueName: vars.pollQueue,
    settings: { visibilityTimeout: 60, messageRetentionPeriod: 3_600, maximumMessageSize: MNS_MAX_MESSAGE_BYTES, pollingWaitSeconds: 0 },
    deadLetterTo: vars.deadLetterQueue,
  },
  {
    queueName: vars.deadLetterQueue,
    settings: { visibilityTimeout: 60, messageRetentionPeriod: 604_800, maximumMessageSize: MNS_MAX_MESSAGE_BYTES, pollingWaitSeconds: 0 },
  },
];

// ---------------------------------------------------------------------------------------------
// Dead-letter policies: the MNS SDK's XML API has no field for them; the 2022-01-19 OpenAPI has.

export interface DeadLetterApi {
  current(queueName: string): Promise<{ target: string; maxReceiveCount: number } | undefined>;
  apply(queueName: string, target: string, maxReceiveCount: number): Promise<void>;
}

const MNS_OPEN_VERSION = '2022-01-19';
const dlqAttributes = z.object({
  Data: z.looseObject({
    DlqPolicy: z.nullish(
      z.looseObject({ Enabled: z.optional(z.boolean()), DeadLetterTargetQueue: z.optional(z.string()), MaxReceiveCount: z.optional(z.coerce.number()) }),
    ),
  }),
});

export const mnsOpenApi = (region: string, credentials: MnsCredentials, endpoint?: { host: string; protocol: 'http' | 'https' }): DeadLetterApi => {
  const client = new OpenApi(
    new $OpenApiUtil.Config({
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      ...(credentials.securityToken === undefined ? {} : { securityToken: credentials.securityToken }),
      regionId: region,
      endpoint: endpoint?.host ?? `mns-open.${region}.aliyuncs.com`,
      protocol: endpoint?.protocol ?? 'https',
      readTimeout: 10_000,
      connectTimeout: 5_000,
    }),
  );
  const call = async (action: string, query: Record<string, string>): Promise<unknown> => {
    const params = rpcParams(action, MNS_OPEN_VERSION);
    const response: unknown = await client.callApi(params, new $OpenApiUtil.OpenApiRequest({ query }), new $dara.RuntimeOptions({}));
    return z.parse(z.object({ body: z.unknown() }), response).body;
  };
  return {
    async current(queueName) {
      const parsed = z.safeParse(dlqAttributes, await call('GetQueueAttributes', { QueueName: queueName }));
      const policy = parsed.success ? parsed.data.Data.DlqPolicy : undefined;
      if (policy?.Enabled !== true || policy.DeadLetterTargetQueue === undefined || policy.MaxReceiveCount === undefined) return undefined;
      return { target: policy.DeadLetterTargetQueue, maxReceiveCount: policy.MaxReceiveCount };
    },
    async apply(queueName, target, maxReceiveCount) {
      const DlqPolicy = JSON.stringify({ Enabled: true, DeadLetterTargetQueue: target, MaxReceiveCount: maxReceiveCount });
      await call('SetQueueAttributes', { QueueName: queueName, DlqPolicy });
    },
  };
};

// ---------------------------------------------------------------------------------------------
// The run

export interface SetupTargets {
  readonly vars: StageVars;
  readonly accountId: string;
  readonly credentials: MnsCredentials;
  /** Overrides for tests against local fakes; the regional public endpoints otherwise. */
  readonly mnsEndpoint?: string | undefined;
  readonly otsEndpoint?: string | undefined;
  readonly deadLetters?: DeadLetterApi | undefined;
  readonly print?: ((line: string) => void) | undefined;
}

export interface SetupReport {
  readonly queues: ReadonlyArray<{ readonly queueName: string; readonly action: string; readonly deadLetter: string }>;
  readonly table: { readonly tableName: string; readonly action: 'created' | 'found' };
}

export const setupCloud = async (targets: SetupTargets): Promise<SetupReport> => {
  const { vars, accountId, credentials } = targets;
  const print = targets.print ?? ((line: string) => console.log(line));
  const deadLetters = targets.deadLetters ?? mnsOpenApi(vars.region, credentials);
  const queues: SetupReport['queues'][number][] = [];
  for (const plan of queuePlan(vars)) {
    const queue = new MnsMessageQueue({ accountId, region: vars.region, endpoint: targets.mnsEndpoint, queueName: plan.queueName, credentials });
    const { action } = await queue.ensureQueue(plan.settings);
    let deadLetter = 'none';
    if (plan.deadLetterTo !== undefined) {
      const current = await deadLetters.current(plan.queueName);
      if (current?.target === plan.deadLetterTo && current.maxReceiveCount === MAX_RECEIVE_COUNT) deadLetter = 'found';
      else {
        await deadLetters.apply(plan.queueName, plan.deadLetterTo, MAX_RECEIVE_COUNT);
        deadLetter = current === undefined ? 'set' : 'updated';
      }
    }
    const label = action === 'unchanged' ? 'found' : action;
    print(`queue ${plan.queueName}: ${label}${plan.deadLetterTo === undefined ? '' : `; dead-letter policy (to ${plan.deadLetterTo} after ${MAX_RECEIVE_COUNT} receives): ${deadLetter}`}`);
    queues.push({ queueName: plan.queueName, action: label, deadLetter });
  }
  const store = new TablestoreJobStore({
    endpoint: targets.otsEndpoint ?? `https://${vars.otsInstance}.${vars.region}.ots.aliyuncs.com`,
    instanceName: vars.otsInstance,
    credentials,
    tableName: vars.table,
  });
  const { created } = await store.ensureTable();
  const table = { tableName: vars.table, action: created ? ('created' as const) : ('found' as const) };
  print(`table ${vars.table} in instance ${vars.otsInstance}: ${table.action}`);
  return { queues, table };
};

// ---------------------------------------------------------------------------------------------
// The command line

export class SetupRefused extends Error {
  override readonly name = 'SetupRefused';
}

const argValue = (args: readonly string[], flag: string): string | undefined => {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
};

/** The chain's own message lists every provider it tried; ours says what to do, and holds no secret. */
export const credentialsFromChain = async (): Promise<MnsCredentials> => {
  let model: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
  try {
    model = await new Credential().getCredential();
  } catch {
    throw new SetupRefused(
      'no Alibaba Cloud credentials found: export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET ' +
        '(and ALIBABA_CLOUD_SECURITY_TOKEN for STS), or configure a profile with `aliyun configure`. Nothing was created.',
    );
  }
  if (!model.accessKeyId || !model.accessKeySecret) throw new SetupRefused('the credential chain returned an incomplete AccessKey. Nothing was created.');
  return { accessKeyId: model.accessKeyId, accessKeySecret: model.accessKeySecret, securityToken: model.securityToken || undefined };
};

export const main = async (args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> => {
  const stage = argValue(args, '--stage') ?? 's.yaml';
  const vars = readStageVars(stage);
  const accountId = argValue(args, '--account-id') ?? env.ALIBABA_CLOUD_ACCOUNT_ID;
  if (accountId === undefined || !/^\d{6,32}$/.test(accountId)) {
    throw new SetupRefused('the account id is needed for the MNS endpoint: pass --account-id <id> or export ALIBABA_CLOUD_ACCOUNT_ID. Nothing was created.');
  }
  const credentials = await credentialsFromChain();
  console.log(`setting up ${stage} in ${vars.region} for account ${accountId}`);
  await setupCloud({ vars, accountId, credentials });
  console.log(`done. Next: the RAM role ${vars.roleName} (docs/deploy.md), then npm run deploy.`);
};

if (/scripts[\\/]setup-cloud\.ts$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2), process.env).catch((error: unknown) => {
    // Error messages of our adapters carry no secrets; anything else is reduced to its message.
    console.error(`setup:cloud: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
