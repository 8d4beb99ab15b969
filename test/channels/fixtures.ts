import type { ChannelRequest } from '../../shared/channels/channel';
import type { ChatWebhookKind } from '../../shared/core/notifications/chat-webhook';
import { type OutcomeSummary, summarizeOutcome } from '../../shared/core/notifications/message';
import { finishedJob, type FinishedJobInput } from '../notifications/finished-jobs';

export const URLS: Record<ChatWebhookKind, string> = {
  dingtalk: 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  feishu: 'https://open.feishu.cn/open-apis/bot/v2/hook/8d2a5c9e-1b7f-4e0a-9c3d-2f6b8a1e4d70',
  wecom: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa',
  slack: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
};

export const KINDS: readonly ChatWebhookKind[] = ['dingtalk', 'feishu', 'wecom', 'slack'];

export const NOW = new Date('2026-03-01T12:00:00Z');
export const STATUS_PAGE = 'https://status.example.com/replication';

export const summaryOf = (input: FinishedJobInput, statusPageBaseUrl?: string): OutcomeSummary =>
  summarizeOutcome(finishedJob(input), { provider: 'alibaba', now: NOW, statusPageBaseUrl });

const strings = (value: unknown, keys: readonly string[]): string[] => {
  if (Array.isArray(value)) return value.flatMap((item) => strings(item, keys));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => (keys.includes(key) && typeof inner === 'string' ? [inner] : strings(inner, keys)));
};

/** Everything a reader of the message sees, as the platform receives it. */
export const visibleText = (kind: ChatWebhookKind, request: ChannelRequest): string => {
  const body = JSON.parse(request.body);
  switch (kind) {
    case 'dingtalk':
      return `${body.markdown.title}\n${body.markdown.text}`;
    case 'wecom':
      return body.markdown.content;
    case 'feishu':
      return strings(body.card, ['content']).join('\n');
    case 'slack':
      return [body.text, ...strings(body.blocks, ['text'])].join('\n');
  }
};
