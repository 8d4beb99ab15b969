import { checkUrlHost, isLoopbackHost } from '../domain/webhook-target';
import { type ChatWebhookKind, chatWebhookUrlProblem } from './chat-webhook';
import { StatusPageBaseUrl } from './message';
import * as z from '../zod';

/**
 * A policy's webhooks, as the policy file writes them. `kind` picks the receiver: the generic
 * signed JSON one (the default, so older files read as before) or a chat platform.
 *
 *   generic            url + secretEnv (HMAC of the body), one NotificationV1 per outcome
 *   dingtalk, feishu   url + secretEnv (the platform's signature); per-job messages and/or a digest
 *   wecom, slack       urlEnv only: the URL is the credential, so it never sits in this file
 *
 * Every parsed webhook has `url` and `secretEnv` strings, whatever its kind, so code written for
 * the generic webhook keeps working: `secretEnv` names the variable holding what authenticates a
 * post (the signing secret, or for WeCom and Slack the URL itself, the same as `urlEnv`), and a
 * URL read from the environment shows as the platform's endpoint with the credential left out.
 */

export const WebhookName = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes'));

/** `missing` says what the variable is for when it is left out. */
const envVar = (example: string, missing?: string) =>
  z.string(missing === undefined ? undefined : { error: missing }).check(z.regex(/^[A-Z_][A-Z0-9_]*$/, `an environment variable name such as ${example}`));

/** How often a digest goes out: daily at `digest.dailyHourUtc`, or once the nightly run's copies have ended. */
export const DigestSchedule = z.enum(['daily', 'after-nightly-run']);
export type DigestSchedule = z.infer<typeof DigestSchedule>;

/** What a chat webhook is told: one message per finished copy, a digest, or both. */
const chatDelivery = {
  /** One message per finished copy (batched when a burst would break the platform's rate limit). */
  perJob: z._default(z.boolean(), true),
  digest: z.optional(DigestSchedule),
};

/** Unsigned chat platforms: the URL alone lets anyone post. */
export const URL_CREDENTIAL_KINDS = ['wecom', 'slack'] as const satisfies readonly ChatWebhookKind[];
export const SIGNED_CHAT_KINDS = ['dingtalk', 'feishu'] as const satisfies readonly ChatWebhookKind[];

/** What a URL read from the environment shows as (logs, `validate`): the endpoint, never the credential. */
export const CREDENTIAL_URL_DISPLAY: Readonly<Record<(typeof URL_CREDENTIAL_KINDS)[number], string>> = {
  wecom: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send',
  slack: 'https://hooks.slack.com/services/',
};

const checkGenericTarget = (hook: { readonly url: string; readonly allowInsecureLoopback: boolean }, ctx: z.core.$RefinementCtx): void => {
  // z.url() has already reported a URL that does not parse.
  if (!URL.canParse(hook.url)) return;
  const url = new URL(hook.url);
  if (url.username !== '' || url.password !== '') {
    // fetch refuses such URLs with an error quoting them whole: the password would reach the logs.
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'webhook URLs cannot carry a user or password; authenticate with the signature' });
    return;
  }
  const target = checkUrlHost(url, { allowLoopback: hook.allowInsecureLoopback });
  if (!target.allowed) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: `webhooks cannot target ${target.reason.replace(/^.*? is /, '')}` });
    return;
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && isLoopbackHost(url) && hook.allowInsecureLoopback) return;
  ctx.addIssue({
    code: 'custom',
    path: ['url'],
    message: 'webhooks must use https (plain http only to a loopback address with allowInsecureLoopback: true)',
  });
};

/** A webhook that would never post anything is a typo, not a choice. */
const checkSaysSomething = (hook: { readonly perJob: boolean; readonly digest?: DigestSchedule | undefined }, ctx: z.core.$RefinementCtx): void => {
  if (!hook.perJob && hook.digest === undefined) {
    ctx.addIssue({ code: 'custom', path: ['perJob'], message: 'with perJob: false the webhook needs a digest (daily or after-nightly-run), or it never says anything' });
  }
};

const GenericWebhook = z.pipe(
  z
    .strictObject({
      name: WebhookName,
      kind: z.literal('generic'),
      url: z.url(),
      /** Name of the environment variable holding the signing secret: secrets never live in this file. */
      secretEnv: envVar('OPS_WEBHOOK_SECRET'),
      /** Plain http is refused unless the URL is loopback and this is set (local testing). */
      allowInsecureLoopback: z._default(z.boolean(), false),
      perJob: z._default(z.literal(true, { error: 'the generic webhook receives every outcome; a digest is for chat webhooks' }), true),
      digest: z.optional(z.never({ error: 'digests are chat messages: the generic webhook receives one signed notification per outcome' })),
    })
    .check(z.superRefine(checkGenericTarget)),
  z.transform((hook) => ({ ...hook, urlEnv: undefined, digest: undefined })),
);

const SignedChatWebhook = z.pipe(
  z
    .strictObject({
      name: WebhookName,
      kind: z.enum(SIGNED_CHAT_KINDS),
      /** The robot's URL. Without the signing secret it cannot post, so it may sit in this file. */
      url: z.string().check(z.maxLength(512)),
      /** The robot's signing secret (DingTalk 加签, Feishu 签名校验), read from this variable. */
      secretEnv: envVar('OPS_DINGTALK_SECRET', 'DingTalk and Feishu robots are signed: name the environment variable holding the robot\'s signing secret'),
      urlEnv: z.optional(z.never({ error: 'DingTalk and Feishu robots are signed: write their URL under url and keep the signing secret in secretEnv' })),
      allowInsecureLoopback: z.optional(z.never({ error: 'chat webhooks post to their platform only' })),
      ...chatDelivery,
    })
    .check(
      z.superRefine((hook, ctx) => {
        const problem = chatWebhookUrlProblem(hook.kind, hook.url);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
        checkSaysSomething(hook, ctx);
      }),
    ),
  z.transform((hook) => ({ ...hook, urlEnv: undefined, allowInsecureLoopback: false })),
);

const UrlCredentialChatWebhook = z.pipe(
  z
    .strictObject({
      name: WebhookName,
      kind: z.enum(URL_CREDENTIAL_KINDS),
      /** The variable holding the webhook URL, which is itself the credential. */
      urlEnv: envVar('OPS_SLACK_WEBHOOK_URL', 'name the environment variable holding the webhook URL (the URL is the credential)'),
      url: z.optional(
        z.never({ error: 'this URL is a credential (anyone holding it can post): put it in an environment variable and name that variable in urlEnv' }),
      ),
      secretEnv: z.optional(z.never({ error: 'WeCom and Slack do not sign messages; the URL named by urlEnv is the credential' })),
      allowInsecureLoopback: z.optional(z.never({ error: 'chat webhooks post to their platform only' })),
      ...chatDelivery,
    })
    .check(z.superRefine(checkSaysSomething)),
  z.transform((hook) => ({
    name: hook.name,
    kind: hook.kind,
    urlEnv: hook.urlEnv,
    url: CREDENTIAL_URL_DISPLAY[hook.kind],
    // What authenticates a post is the URL: the secrets loader reads it like a signing secret,
    // and loggers redact it like one.
    secretEnv: hook.urlEnv,
    allowInsecureLoopback: false,
    perJob: hook.perJob,
    digest: hook.digest,
  })),
);

const withDefaultKind = (raw: unknown): unknown =>
  typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !('kind' in raw) ? { ...raw, kind: 'generic' } : raw;

export const Webhook = z.preprocess(withDefaultKind, z.discriminatedUnion('kind', [GenericWebhook, SignedChatWebhook, UrlCredentialChatWebhook]));
export type Webhook = z.output<typeof Webhook>;
export type ChatWebhook = Extract<Webhook, { readonly kind: ChatWebhookKind }>;
export const WebhookKinds = ['generic', ...SIGNED_CHAT_KINDS, ...URL_CREDENTIAL_KINDS] as const;
export type WebhookKind = (typeof WebhookKinds)[number];

export const isChatWebhook = (hook: Webhook): hook is ChatWebhook => hook.kind !== 'generic';

/** Whether the parsed webhook's URL comes from the environment (through the secrets map). */
export const urlIsCredential = (hook: Webhook): boolean => hook.urlEnv !== undefined;

/** Where the status page is, for links in chat messages. */
export const StatusPageConfig = z.strictObject({
  /** The page's public URL (a custom domain: FC's default domain serves HTML as a download). */
  baseUrl: StatusPageBaseUrl,
});

/** When digests go out. Hours are UTC, like FC's timers. */
export const DigestConfig = z.strictObject({
  /** `daily` digests go out at the first notification after this hour (UTC); 1 = 09:00 Asia/Shanghai. */
  dailyHourUtc: z._default(z.number().check(z.int(), z.gte(0), z.lte(23)), 1),
  /** When the nightly sweep starts (s.yaml: 18:00 UTC); `after-nightly-run` digests wait for its copies. */
  nightlyRunHourUtc: z._default(z.number().check(z.int(), z.gte(0), z.lte(23)), 18),
  /** An `after-nightly-run` digest goes out after this many hours even if a copy is still running. */
  maxWaitHours: z._default(z.number().check(z.int(), z.gte(1), z.lte(23)), 12),
});
export type DigestConfig = z.infer<typeof DigestConfig>;
export const DEFAULT_DIGEST_CONFIG: DigestConfig = z.parse(DigestConfig, {});
