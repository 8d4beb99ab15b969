/**
 * Our own check of the fc3 properties this project uses (the real fc3 component, which validates
 * them on deploy, cannot be fetched offline). Stricter than fc3 where a mistake would only show at
 * run time: the handler name, the code folder, the runtime.
 */
import { z } from 'zod';
import { EventPattern } from './event-pattern';

const CRON_FIELDS = [
  { name: 'second', min: 0, max: 59, question: false },
  { name: 'minute', min: 0, max: 59, question: false },
  { name: 'hour', min: 0, max: 23, question: false },
  { name: 'day of month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, question: false },
  { name: 'day of week', min: 0, max: 6, question: true },
] as const;

const validCronField = (text: string, field: (typeof CRON_FIELDS)[number]): boolean => {
  if (field.question && text === '?') return true;
  return text.split(',').every((part) => {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) return false;
    const [, , from, to, step] = match;
    const inRange = (value: string | undefined) => value === undefined || (Number(value) >= field.min && Number(value) <= field.max);
    if (step !== undefined && Number(step) < 1) return false;
    if (from !== undefined && to !== undefined && Number(from) > Number(to)) return false;
    return inRange(from) && inRange(to);
  });
};

/** FC timer syntax: `@every <n>m|h` (one minute at least), or six cron fields, seconds first, in UTC. */
export const isValidFcCron = (expression: string): boolean => {
  const every = /^@every (\d+)(m|h)$/.exec(expression);
  if (every) return Number(every[1]) >= 1;
  const fields = expression.trim().split(/\s+/);
  return fields.length === 6 && fields.every((text, index) => {
    const field = CRON_FIELDS[index];
    return field !== undefined && validCronField(text, field);
  });
};

const jsonPattern = z.string().transform((text, ctx) => {
  try {
    const parsed = EventPattern.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: 'custom', message: `not a pattern we model: ${parsed.error.message}` });
  } catch {
    ctx.addIssue({ code: 'custom', message: 'eventRuleFilterPattern is not JSON' });
  }
  return z.NEVER;
});

const accountId = String.raw`(\d{6,32}|\$\{config\('AccountID'\)\})`;
const region = z.string().regex(/^[a-z]{2,}(-[a-z0-9]+)+$/);

/** What every trigger of ours carries. */
const triggerBase = { triggerName: z.string().min(1), qualifier: z.literal('LATEST') };
/** What every EventBridge trigger's config carries. */
const eventBridgeConfigBase = { triggerEnable: z.boolean(), asyncInvocationType: z.boolean(), eventRuleFilterPattern: jsonPattern };

export const TimerTrigger = z
  .object({
    ...triggerBase,
    triggerType: z.literal('timer'),
    triggerConfig: z
      .object({ cronExpression: z.string().refine(isValidFcCron, 'not a valid FC cron expression'), enable: z.boolean(), payload: z.string().optional() })
      .strict(),
  })
  .strict();

export const DefaultBusTrigger = z
  .object({
    ...triggerBase,
    triggerType: z.literal('eventbridge'),
    triggerConfig: z
      .object({
        ...eventBridgeConfigBase,
        eventSourceConfig: z.object({ eventSourceType: z.literal('Default') }).strict(),
      })
      .strict(),
  })
  .strict();

export const MnsQueueTrigger = z
  .object({
    ...triggerBase,
    triggerType: z.literal('eventbridge'),
    triggerConfig: z
      .object({
        ...eventBridgeConfigBase,
        eventSinkConfig: z
          .object({ deliveryOption: z.object({ mode: z.literal('event-streaming'), eventSchema: z.literal('CloudEvents') }).strict() })
          .strict(),
        runOptions: z
          .object({
            mode: z.literal('event-streaming'),
            errorsTolerance: z.enum(['ALL', 'NONE']),
            retryStrategy: z
              .object({
                PushRetryStrategy: z.enum(['BACKOFF_RETRY', 'EXPONENTIAL_DECAY_RETRY']),
                MaximumRetryAttempts: z.number().int().min(0),
                MaximumEventAgeInSeconds: z.number().int().min(0),
              })
              .strict(),
            deadLetterQueue: z.object({ Arn: z.string().regex(new RegExp(String.raw`^acs:mns:[a-z0-9-]+:${accountId}:/queues/[A-Za-z0-9-]+$`)) }).strict(),
            batchWindow: z
              .object({ CountBasedWindow: z.number().int().min(1).max(10_000), TimeBasedWindow: z.number().int().min(0).max(15) })
              .strict(),
          })
          .strict(),
        eventSourceConfig: z
          .object({
            eventSourceType: z.literal('MNS'),
            eventSourceParameters: z
              .object({ sourceMNSParameters: z.object({ QueueName: z.string().min(1), IsBase64Decode: z.literal(true) }).strict() })
              .strict(),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

/** The status page's trigger: requests straight to the function, which checks its own token. */
export const HttpTrigger = z
  .object({
    ...triggerBase,
    triggerType: z.literal('http'),
    triggerConfig: z
      .object({
        authType: z.enum(['anonymous', 'function']),
        disableURLInternet: z.boolean(),
        methods: z.array(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])).min(1),
      })
      .strict(),
  })
  .strict();

export const Trigger = z.union([TimerTrigger, DefaultBusTrigger, MnsQueueTrigger, HttpTrigger]);
export type Trigger = z.infer<typeof Trigger>;

export const FunctionProps = z
  .object({
    region,
    functionName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/),
    description: z.string().max(256),
    runtime: z.enum(['nodejs18', 'nodejs20']),
    handler: z.literal('index.handler'),
    code: z.string().regex(/^\.\/dist\/[a-z-]+$/),
    // FC 3.0: multiples of 64 MB.
    memorySize: z.number().int().min(128).max(32_768).refine((mb) => mb % 64 === 0, 'a multiple of 64 MB'),
    timeout: z.number().int().min(1).max(86_400),
    environmentVariables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()),
    role: z.string().regex(new RegExp(String.raw`^acs:ram::${accountId}:role/[A-Za-z0-9.-]+$`)),
    logConfig: z.union([z.literal('auto'), z.object({ project: z.string(), logstore: z.string() }).loose()]),
    triggers: z.array(Trigger).min(1),
    /** PutConcurrencyConfig: the most instances of the function at once. */
    concurrencyConfig: z.object({ reservedConcurrency: z.number().int().min(0).max(1_000) }).strict().optional(),
  })
  .strict();
export type FunctionProps = z.infer<typeof FunctionProps>;

export const Fc3Stage = z
  .object({
    edition: z.literal('3.0.0'),
    name: z.string().min(1),
    access: z.string().min(1),
    vars: z.record(z.string(), z.unknown()),
    resources: z.record(z.string(), z.object({ component: z.literal('fc3'), props: FunctionProps }).strict()),
  })
  .strict();
export type Fc3Stage = z.infer<typeof Fc3Stage>;
