import * as z from '../zod';

/** The chat platforms a webhook can post to, besides the generic signed JSON one. */
export const ChatWebhookKind = z.enum(['dingtalk', 'feishu', 'wecom', 'slack']);
export type ChatWebhookKind = z.infer<typeof ChatWebhookKind>;
export const CHAT_WEBHOOK_KINDS: readonly ChatWebhookKind[] = ChatWebhookKind.options;

/**
 * The one URL shape each platform hands out, matched on the raw string, anchored. A URL parser
 * would first normalise (dot segments, case, tabs, default ports), and a URL that only becomes
 * right after normalising is not one the platform gave out. Only the credential part varies.
 */
const URL_SHAPES: Record<ChatWebhookKind, { readonly pattern: RegExp; readonly expected: string }> = {
  dingtalk: {
    pattern: /^https:\/\/oapi\.dingtalk\.com\/robot\/send\?access_token=[A-Za-z0-9_-]{16,256}$/,
    expected: 'https://oapi.dingtalk.com/robot/send?access_token=…',
  },
  feishu: {
    pattern: /^https:\/\/open\.(feishu\.cn|larksuite\.com)\/open-apis\/bot\/v2\/hook\/[A-Za-z0-9-]{8,128}$/,
    expected: 'https://open.feishu.cn/open-apis/bot/v2/hook/… or https://open.larksuite.com/open-apis/bot/v2/hook/…',
  },
  wecom: {
    pattern: /^https:\/\/qyapi\.weixin\.qq\.com\/cgi-bin\/webhook\/send\?key=[A-Za-z0-9-]{8,128}$/,
    expected: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
  },
  slack: {
    pattern: /^https:\/\/hooks\.slack\.com\/services\/[A-Z0-9]{4,32}\/[A-Z0-9]{4,32}\/[A-Za-z0-9]{8,64}$/,
    expected: 'https://hooks.slack.com/services/T…/B…/…',
  },
};

/**
 * Why `url` is not a webhook URL of `kind`, or undefined when it is. The answer never quotes the
 * URL: for WeCom and Slack the URL is the credential, and this text ends up in config errors.
 */
export const chatWebhookUrlProblem = (kind: ChatWebhookKind, url: string): string | undefined =>
  URL_SHAPES[kind].pattern.test(url) ? undefined : `a ${kind} webhook URL must look like ${URL_SHAPES[kind].expected}`;

/**
 * For the policy schema: add `chatWebhookShape` to the Webhook object's keys and
 * `.superRefine(refineChatWebhookUrl)` to it (an issue on `url` when the URL is not the kind's),
 * or intersect with `ChatWebhookFields`, the two already put together.
 */
export const chatWebhookShape = { kind: ChatWebhookKind, url: z.string() };

export const refineChatWebhookUrl = (hook: { readonly kind: ChatWebhookKind; readonly url: string }, ctx: z.core.$RefinementCtx): void => {
  const problem = chatWebhookUrlProblem(hook.kind, hook.url);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
};

export const ChatWebhookFields = z.object(chatWebhookShape).check(z.superRefine(refineChatWebhookUrl));
export type ChatWebhookFields = z.infer<typeof ChatWebhookFields>;

/** A per-kind URL schema, for a field that holds one kind only. */
export const chatWebhookUrl = (kind: ChatWebhookKind) =>
  z.string().check(
    z.superRefine((url, ctx) => {
      const problem = chatWebhookUrlProblem(kind, url);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }),
  );
