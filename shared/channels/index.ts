import type { ChatWebhookKind } from '../core/notifications/chat-webhook';
import type { Channel } from './channel';
import { dingtalkChannel } from './dingtalk';
import { feishuChannel } from './feishu';
import { slackChannel } from './slack';
import { wecomChannel } from './wecom';

/**
 * The chat channels by webhook kind. The generic signed-JSON webhook is not here: its body is
 * NotificationV1, built from the job itself (use-cases/notify.ts), not from a ChatMessage.
 */
const CHANNELS: Readonly<Record<ChatWebhookKind, Channel>> = {
  dingtalk: dingtalkChannel,
  feishu: feishuChannel,
  wecom: wecomChannel,
  slack: slackChannel,
};

export const channelFor = (kind: ChatWebhookKind): Channel => CHANNELS[kind];

export type { Channel, ChannelAnswer, ChannelLimits, ChannelRequest, ChannelSettings, DeliveryVerdict } from './channel';
