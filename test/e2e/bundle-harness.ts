import { type ChildProcess, fork } from 'node:child_process';
import type { ReceivedMessage } from '../../shared/core/ports/message-queue';
import { MnsMessageQueue } from '../../shared/stores/mns/mns-message-queue';

/** The STS set FC hands every invocation in these tests (the context's credentials). */
export const STS = { accessKeyId: 'STS.bundle-e2e', accessKeySecret: 'bundle-e2e-secret-value', securityToken: 'bundle-e2e-sts-token' };

/**
 * Runs a built bundle as FC does: `require('./index.js')` in the bundle's folder, then `handler(event,
 * context)` per invocation. A forked process keeps the module warm between invocations, as an FC
 * instance does; its stdout (the function's log) is collected.
 *
 * The bundle lives in the test's virtual time, as libfaketime would put it: each invocation carries
 * the instant it happens at, and the process's Date reads that plus the wall time since. Copies,
 * predictions and timers then agree, as they do in a deployment where everything runs on real time.
 */
export const DRIVER = `
const RealDate = Date;
let offset = 0;
class VirtualDate extends RealDate {
  constructor(...args) { if (args.length === 0) super(RealDate.now() + offset); else super(...args); }
  static now() { return RealDate.now() + offset; }
}
globalThis.Date = VirtualDate;
const { handler } = require(require('node:path').join(process.cwd(), 'index.js'));
process.on('message', (m) => {
  offset = m.at - RealDate.now();
  Promise.resolve()
    .then(() => handler(Buffer.from(m.event, 'base64'), m.context))
    .then((result) => process.send({ id: m.id, ok: true, result }), (error) => process.send({ id: m.id, ok: false, error: String(error && error.message) }));
});
process.send({ ready: true });
`;

export interface Invocation {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

export class BundleProcess {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, (answer: Invocation) => void>();
  readonly log: string[] = [];
  #next = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stdout?.on('data', (chunk: Buffer) => this.log.push(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => this.log.push(chunk.toString('utf8')));
    child.on('message', (message: { id?: number } & Invocation) => {
      if (message.id !== undefined) this.#waiting.get(message.id)?.(message);
    });
  }

  static async start(driver: string, directory: string, env: Record<string, string>): Promise<BundleProcess> {
    const child = fork(driver, [], { cwd: directory, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const process_ = new BundleProcess(child);
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the bundle in ${directory} exited with ${code} before it was ready:\n${process_.log.join('')}`)));
    });
    return process_;
  }

  invoke(event: unknown, requestId: string, at: Date): Promise<Invocation> {
    const id = (this.#next += 1);
    const context = { requestId, credentials: STS, accountId: '1234567890', region: 'cn-hangzhou', function: { name: 'bundle' } };
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#child.send({ id, event: Buffer.from(JSON.stringify(event)).toString('base64'), context, at: at.getTime() });
    });
  }

  stop(): void {
    this.#child.kill();
  }
}

/** The queues of a deployment, as the wire fake is given them. */
export const QUEUES = { startCopy: 'ir-start-copy', notify: 'ir-notify', poll: 'ir-poll', deadLetters: 'ir-dead-letters' };
const ACCOUNT_ID = '1234567890';

/** What every function reads at cold start, pointed at the wire fakes; a test adds its provider's part. */
export const baseFunctionEnv = (wire: { readonly tablestoreEndpoint: string; readonly mnsEndpoint: string; readonly policy: string }): Record<string, string> => ({
  IMAGE_REPLICATOR_REGION: 'cn-hangzhou',
  IMAGE_REPLICATOR_POLICY: wire.policy,
  IMAGE_REPLICATOR_OTS_INSTANCE: 'replicator',
  IMAGE_REPLICATOR_OTS_ENDPOINT: wire.tablestoreEndpoint,
  IMAGE_REPLICATOR_TABLE: 'jobs',
  IMAGE_REPLICATOR_START_COPY_QUEUE: QUEUES.startCopy,
  IMAGE_REPLICATOR_NOTIFY_QUEUE: QUEUES.notify,
  IMAGE_REPLICATOR_POLL_QUEUE: QUEUES.poll,
  IMAGE_REPLICATOR_DEAD_LETTER_QUEUE: QUEUES.deadLetters,
  IMAGE_REPLICATOR_MNS_ENDPOINT: wire.mnsEndpoint,
  IMAGE_REPLICATOR_ACCOUNT_ID: ACCOUNT_ID,
  IMAGE_REPLICATOR_LOG_LEVEL: 'info',
});

/** A consumer of each queue, reading as the test's stand-in for FC's MNS triggers. */
export const queueConsumers = (mnsEndpoint: string): Record<keyof typeof QUEUES, MnsMessageQueue> => {
  const consumer = (queueName: string) => new MnsMessageQueue({ accountId: ACCOUNT_ID, region: 'cn-hangzhou', endpoint: mnsEndpoint, credentials: STS, queueName });
  return { startCopy: consumer(QUEUES.startCopy), notify: consumer(QUEUES.notify), poll: consumer(QUEUES.poll), deadLetters: consumer(QUEUES.deadLetters) };
};

/** FC's MNS trigger with IsBase64Decode: CloudEvents carrying the plain bodies. */
export const queueEvent = (messages: readonly ReceivedMessage[]): unknown[] =>
  messages.map((m) => ({ id: m.messageId, source: 'MNS-trigger', specversion: '1.0', type: 'mns:Queue:SendMessage', data: { messageId: m.messageId, messageBody: m.body } }));

/** What a night of a deployment needs from a bundle test: its functions, its queues, its clock. */
export interface NightOfBundles {
  invoke(fn: 'start-copy' | 'poll-status', event: unknown): Promise<Invocation>;
  /** Delivers a batch from `queue` to `fn` as the MNS trigger does; answers how many messages it held. */
  deliver(queue: MnsMessageQueue, fn: 'start-copy' | 'poll-status' | 'notify'): Promise<number>;
  readonly consumers: Record<keyof typeof QUEUES, MnsMessageQueue>;
  advance(seconds: number): void;
  now(): Date;
  /** Whether any job is still in flight (the table's markers). */
  busy(): Promise<boolean>;
}

/**
 * The nightly sweep, then the poll timer a minute at a time with the queues' deliveries in
 * between, until nothing is in flight (or `maxMinutes`). Answers the sweep's invocation.
 */
export const nightOfBundles = async (night: NightOfBundles, options: { readonly stepSeconds: number; readonly maxMinutes: number }): Promise<Invocation> => {
  const timer = (name: string) => ({ triggerTime: night.now().toISOString(), triggerName: name, payload: '' });
  const sweep = await night.invoke('start-copy', timer('nightly-sweep'));
  for (let minute = 0; minute < options.maxMinutes; minute += 1) {
    await night.invoke('poll-status', timer('poll-status'));
    for (let second = 0; second < 60; second += options.stepSeconds) {
      await night.deliver(night.consumers.poll, 'poll-status');
      while ((await night.deliver(night.consumers.startCopy, 'start-copy')) > 0);
      while ((await night.deliver(night.consumers.notify, 'notify')) > 0);
      night.advance(options.stepSeconds);
    }
    if (!(await night.busy())) break;
  }
  return sweep;
};
