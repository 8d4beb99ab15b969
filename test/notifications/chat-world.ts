import { parsePolicyConfig, resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import type { PolicyConfig } from '../../shared/core/config/policy-config';
import { ManualClock } from '../../shared/core/domain/clock';
import { ImageState } from '../../shared/core/domain/image';
import type { Job } from '../../shared/core/domain/job';
import { advance, newJob } from '../../shared/core/domain/job-transitions';
import { planJob } from '../../shared/core/domain/policy';
import { InMemoryWebhookOutbox } from '../../shared/core/notifications/in-memory-outbox';
import type { WebhookOutboxStore } from '../../shared/core/ports/webhook-outbox';
import type { WebhookRequest, WebhookResponse, WebhookTransport } from '../../shared/core/ports/webhook-transport';
import { createNotify, type NotifyOutcome } from '../../shared/core/use-cases/notify';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { recordingQueues } from '../fakes/recording-queue';

/** Receivers' URLs and credentials: shaped like the platforms', never real. */
export const DINGTALK_URL = 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123';
export const FEISHU_URL = 'https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
export const WECOM_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
export const SLACK_URL = 'https://hooks.slack.com/services/T0000AAAA/B0000BBBB/abcdefghijklmnop12345678';
export const DINGTALK_SECRET = 'SECexample0123456789';
export const FEISHU_SECRET = 'exampleFeishuSecret';
export const GENERIC_SECRET = 'a-generic-webhook-secret-0123';

export const chatPolicy = (webhooks: string, extra = ''): PolicyConfig =>
  parsePolicyConfig(
    `
version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }]
    maxAttempts: 1
    webhooks:
${webhooks}
${extra}`,
    'chat test policy',
  );

export const ENV = {
  DING_SECRET: DINGTALK_SECRET,
  LARK_SECRET: FEISHU_SECRET,
  WX_URL: WECOM_URL,
  TEAM_SLACK_URL: SLACK_URL,
  OPS_SECRET: GENERIC_SECRET,
};

/** A receiver per test: answers by rule, remembers every request with the wall time it came. */
export class ChatReceiver implements WebhookTransport {
  readonly requests: (WebhookRequest & { readonly at: number })[] = [];
  /** The next answers, in order; then `fallback`. */
  readonly script: WebhookResponse[] = [];
  fallback: (request: WebhookRequest) => WebhookResponse = (request) => okFor(request.url);
  /** Held posts wait for this before answering (a slow receiver). */
  gate: Promise<void> | undefined;

  constructor(private readonly clock: ManualClock) {}

  async post(request: WebhookRequest): Promise<WebhookResponse> {
    this.requests.push({ ...request, at: this.clock.now().getTime() });
    if (this.gate !== undefined) await this.gate;
    return this.script.shift() ?? this.fallback(request);
  }

  /** Bodies parsed as JSON, for the posts to one platform's host. */
  bodiesTo(host: string): Record<string, unknown>[] {
    return this.requests.filter((r) => new URL(r.url).hostname === host).map((r) => JSON.parse(r.body) as Record<string, unknown>);
  }
}

/** What each platform answers when all is well. */
export const okFor = (url: string): WebhookResponse => {
  const host = new URL(url).hostname;
  if (host === 'hooks.slack.com') return { ok: true, status: 200, body: 'ok' };
  if (host === 'open.feishu.cn') return { ok: true, status: 200, body: '{"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}' };
  if (host === 'oapi.dingtalk.com' || host === 'qyapi.weixin.qq.com') return { ok: true, status: 200, body: '{"errcode":0,"errmsg":"ok"}' };
  return { ok: true, status: 204, body: '' };
};

export interface ChatWorld {
  readonly config: PolicyConfig;
  readonly clock: ManualClock;
  readonly jobs: InMemoryJobStore;
  readonly receiver: ChatReceiver;
  readonly queues: ReturnType<typeof recordingQueues>;
  readonly outbox: WebhookOutboxStore;
  readonly pauses: number[];
  /** One notify invocation, as FC makes one per message: a new run each time. */
  notify(job: Job): Promise<NotifyOutcome>;
  /** A job of the policy that ended as asked, `seconds` after it was created. */
  finish(image: string, outcome?: 'available' | 'failed', options?: { readonly error?: string; readonly seconds?: number }): Promise<Job>;
}

export const chatWorld = (config: PolicyConfig, options: { readonly outbox?: WebhookOutboxStore; readonly env?: Record<string, string> } = {}): ChatWorld => {
  const clock = new ManualClock('2026-03-01T00:00:00Z');
  const jobs = new InMemoryJobStore();
  const receiver = new ChatReceiver(clock);
  const queues = recordingQueues();
  const outbox = options.outbox ?? new InMemoryWebhookOutbox();
  const secrets = resolveWebhookSecrets(config, options.env ?? ENV);
  const pauses: number[] = [];
  let runs = 0;
  const policy = config.policies[0];
  if (policy === undefined) throw new Error('a policy is needed');
  return {
    config,
    clock,
    jobs,
    receiver,
    queues,
    outbox,
    pauses,
    notify: (job) => {
      runs += 1;
      const notify = createNotify({
        config,
        secrets,
        jobs,
        transport: receiver,
        queues,
        clock,
        wallClock: clock,
        logger: silentLogger,
        // Waiting is moving the clock: no test sleeps.
        pause: async (ms) => {
          pauses.push(ms);
          clock.advance(ms);
        },
        outbox,
        runId: `run-${runs}`,
      });
      return notify({ type: 'notification.requested', version: 1, jobId: job.id, eventId: job.notification.eventId ?? '' });
    },
    async finish(image, outcome = 'available', finishOptions = {}) {
      const destination = policy.destinations[0];
      if (destination === undefined) throw new Error('a destination is needed');
      const planned = planJob(policy, destination, { id: `m-${image}`, region: 'cn-hangzhou', name: image, state: ImageState.Available, sizeGiB: 20, tags: { role: 'golden' } });
      const start = new Date(clock.now().getTime() - (finishOptions.seconds ?? 600) * 1000);
      let job = newJob(planned.id, planned.spec, ImageState.Available, start);
      job = advance(job, { type: 'dispatch.claimed' }, start);
      job = advance(job, { type: 'copy.accepted', handle: `m-copy-${image}`, destinationImageId: `m-copy-${image}` }, start);
      job =
        outcome === 'available'
          ? advance(job, { type: 'copy.observed', state: ImageState.Available }, clock.now())
          : advance(job, { type: 'copy.observed', state: ImageState.Failed, error: { code: 'CopyFailed', message: finishOptions.error ?? 'the copy failed' } }, clock.now());
      return (await jobs.putIfAbsent(job)).job;
    },
  };
};
