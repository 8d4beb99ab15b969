import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { AlibabaEcsImageCloud } from '../../shared/providers/alibaba-ecs/image-cloud';
import { isReplicationError } from '../../shared/core/domain/errors';
import { ALL_IMAGE_STATES, type CloudImage } from '../../shared/core/domain/image';
import { mutate, mutateText, toJsonText } from './kit/mutate';
import type { FuzzRandom } from './kit/random';
import { runCases } from './kit/run-cases';
import { type ScriptedAnswer, type ScriptedEcsServer, startScriptedEcsServer } from './kit/scripted-ecs-server';
import { FUZZ_SEEDS } from './kit/seeds';

const CASES = 300;
const READ_TIMEOUT_MS = 250;
/** Generous: the read timeout, one retry with a tiny backoff, and a loaded CI machine. */
const BOUND_MS = 4 * READ_TIMEOUT_MS + 1_500;
const CREDENTIALS = { accessKeyId: 'STS.fuzz-key-id', accessKeySecret: 'fuzz-access-key-secret-value', securityToken: 'fuzz-sts-security-token-value' };
const SECRETS = [CREDENTIALS.accessKeySecret, CREDENTIALS.securityToken];

const fixture = (name: string): unknown => JSON.parse(readFileSync(`test/fixtures/alibaba/${name}`, 'utf8'));
const DESCRIBE = fixture('ecs-describeimages-response.alibabaclouddocs-2021.json') as Record<string, unknown>;
const COPY = fixture('ecs-copyimage-response.alibabacloud-doc-current.json') as Record<string, unknown>;
const ERROR_BODY = { Code: 'InvalidImageId.NotFound', Message: 'The specified ImageId does not exist.', RequestId: 'E1A2-REQ', HostId: 'ecs.aliyuncs.com', Recommend: 'https://api.aliyun.com/troubleshoot' };
const EMPTY_PAGE: ScriptedAnswer = { kind: 'answer', status: 200, contentType: 'application/json', body: JSON.stringify({ ...DESCRIBE, PageNumber: 2, Images: { Image: [] } }) };

type Action = 'DescribeImages' | 'CopyImage';

interface AnswerCase {
  readonly action: Action;
  readonly answer: ScriptedAnswer;
  readonly steps: readonly string[];
}

const json = (status: number, body: string, contentType = 'application/json;charset=utf-8'): ScriptedAnswer => ({ kind: 'answer', status, contentType, body });

const firstImage = (body: Record<string, unknown>, change: Record<string, unknown>): Record<string, unknown> => {
  const images = (body.Images as { Image: Record<string, unknown>[] }).Image;
  return { ...body, Images: { Image: [{ ...images[0], ...change }] } };
};

/** The shapes the brief names, each a likely real-world misbehaviour. */
const NAMED: readonly ((random: FuzzRandom) => { answer: ScriptedAnswer; step: string })[] = [
  () => ({ answer: json(200, JSON.stringify({ ...DESCRIBE, Images: undefined })), step: 'no Images' }),
  () => ({ answer: json(200, JSON.stringify(firstImage(DESCRIBE, { Progress: 40 }))), step: 'Progress as a number' }),
  (r) => ({ answer: json(200, JSON.stringify(firstImage(DESCRIBE, { Status: r.pick(['Copying', 'available', '', 'Deleted']) }))), step: 'unknown Status' }),
  (r) => ({ answer: json(200, JSON.stringify({ ...DESCRIBE, TotalCount: r.pick([1e9, -1, 0, '5', 1.5]) })), step: 'TotalCount lies' }),
  (r) => ({ answer: json(r.pick([200, 502, 503, 404]), '<html><body><h1>Bad Gateway</h1></body></html>', 'text/html'), step: 'an HTML page' }),
  () => ({ answer: json(200, ''), step: '200 with an empty body' }),
  (r) => ({ answer: json(200, JSON.stringify(firstImage(DESCRIBE, { CreationTime: r.pick(['yesterday', '2019-13-45T99:99:99Z', 'null']) }))), step: 'CreationTime not a date' }),
  (r) => ({ answer: json(200, JSON.stringify(firstImage(DESCRIBE, { Size: r.pick(['60', -1, null, 1e400]) }))), step: 'Size retyped' }),
  (r) => ({ answer: json(r.pick([400, 403, 500, 503]), r.pick(['{}', '{"Message":"no code"}', 'null', '[]'])), step: 'an error without a Code' }),
  (r) => ({ answer: json(r.pick([400, 500]), JSON.stringify({ ...ERROR_BODY, Message: `string to sign mentions ${r.pick(SECRETS)}` })), step: 'an error echoing a secret' }),
  () => ({ answer: json(400, '<Error><Code>A', 'text/xml;charset=utf-8'), step: 'truncated XML error' }),
  (r) => ({ answer: json(r.pick([400, 429]), JSON.stringify({ ...ERROR_BODY, Code: r.pick(['Throttling.User', 'Throttling', 'OperationDenied.ImageCopyConflict']) })), step: 'throttling or conflict' }),
  () => ({ answer: { kind: 'silence' }, step: 'no answer at all' }),
  () => ({ answer: { kind: 'reset' }, step: 'connection reset' }),
];

const generate = (random: FuzzRandom): AnswerCase => {
  const action: Action = random.chance(0.6) ? 'DescribeImages' : 'CopyImage';
  const roll = random.next();
  if (roll < 0.3) {
    const { answer, step } = random.pick(NAMED)(random);
    return { action, answer, steps: [step] };
  }
  if (roll < 0.7) {
    const mutated = mutate(random, action === 'DescribeImages' ? DESCRIBE : COPY, 3, { depths: [20, 200] });
    return { action, answer: json(200, toJsonText(mutated.value)), steps: mutated.steps };
  }
  if (roll < 0.9) {
    const status = random.pick([400, 403, 404, 409, 429, 500, 502, 503]);
    const mutated = mutate(random, ERROR_BODY, 2, { depths: [20, 200] });
    const contentType = random.pick(['application/json', 'text/plain', '', 'text/xml;charset=utf-8']);
    return { action, answer: json(status, toJsonText(mutated.value), contentType), steps: [`HTTP ${status} ${contentType}`, ...mutated.steps] };
  }
  const damaged = mutateText(random, JSON.stringify(action === 'DescribeImages' ? DESCRIBE : COPY));
  const status = random.pick([200, 400, 500]);
  return { action, answer: json(status, damaged.text), steps: [`HTTP ${status}`, damaged.step] };
};

const imageProblem = (image: CloudImage): string | undefined => {
  if (image.id === '' || !ALL_IMAGE_STATES.includes(image.state)) return `image answered with id ${JSON.stringify(image.id)} state ${image.state}`;
  if (!Number.isFinite(image.sizeGiB)) return `image answered with size ${image.sizeGiB}`;
  if (image.createdAt !== undefined && Number.isNaN(Date.parse(image.createdAt))) return `image answered with createdAt ${image.createdAt}`;
  if (Object.values(image.tags).some((value) => typeof value !== 'string')) return 'image answered with a non-string tag';
  return undefined;
};

const errorProblem = (error: unknown, input: AnswerCase): string | undefined => {
  if (!isReplicationError(error)) return `rejected with ${(error as Error).name ?? typeof error}: ${String((error as Error).message ?? error).slice(0, 160)}`;
  if (error.code === '' || error.code === 'undefined' || error.code === 'null') return `ReplicationError with code ${JSON.stringify(error.code)}: ${error.message.slice(0, 160)}`;
  if (!error.message.includes(`ECS ${input.action} in cn-hangzhou`)) return `error does not say which call failed: ${error.message.slice(0, 160)}`;
  if (error.code === 'EcsUnexpectedResponse' && !/answered an unexpected body: (\(body\)|[\w.]+): /.test(error.message)) return `unexpected-body error names no field: ${error.message.slice(0, 160)}`;
  const leaked = SECRETS.find((secret) => error.message.includes(secret) || JSON.stringify(error.details).includes(secret));
  if (leaked !== undefined) return 'a secret in the error';
  if (input.answer.kind === 'answer' && input.answer.status >= 500 && !error.retryable) return `HTTP ${input.answer.status} answered as terminal ${error.code}`;
  return undefined;
};

describe('fuzz: mutated ECS answers to the real SDK client through the adapter', () => {
  let server: ScriptedEcsServer;
  let cloud: AlibabaEcsImageCloud;

  beforeAll(async () => {
    server = await startScriptedEcsServer();
    cloud = new AlibabaEcsImageCloud({
      credentials: explicitCredentials(CREDENTIALS),
      endpoint: { endpoint: server.endpoint, protocol: 'http' },
      readTimeoutMs: READ_TIMEOUT_MS,
      connectTimeoutMs: READ_TIMEOUT_MS,
      retry: { maxAttempts: 2, backoffPeriod: 1, maxDelayMs: 5 },
    });
  });

  afterAll(async () => {
    await server.close();
  });

  const call = (action: Action) =>
    action === 'DescribeImages'
      ? cloud.listImages('cn-hangzhou', { states: ALL_IMAGE_STATES, ownedBySelf: true })
      : cloud.copyImage({ sourceRegion: 'cn-hangzhou', sourceImageId: 'm-src0001', destinationRegion: 'cn-shanghai', name: 'copy', tags: {}, idempotencyToken: 'tok-1' });

  it(`answers valid images or a ReplicationError with a code naming the call and field, within the timeouts (${CASES} cases)`, async () => {
    // Prepare
    const seed = FUZZ_SEEDS.ecsAnswers;

    // Act
    const outcome = await runCases({
      seed,
      count: CASES,
      generate,
      show: (input) => `${input.action} ← ${input.steps.join('; ')} :: ${input.answer.kind === 'answer' ? `${input.answer.status} ${input.answer.body}` : input.answer.kind}`,
      check: async (input) => {
        server.script(input.answer, EMPTY_PAGE);
        const started = performance.now();
        let problem: string | undefined;
        try {
          const result = await call(input.action);
          problem = Array.isArray(result)
            ? result.map(imageProblem).find((p) => p !== undefined)
            : typeof result.imageId === 'string' && result.imageId !== ''
              ? undefined
              : `copy answered ${JSON.stringify(result)}`;
        } catch (error) {
          problem = errorProblem(error, input);
        }
        const elapsed = performance.now() - started;
        return problem ?? (elapsed > BOUND_MS ? `took ${Math.round(elapsed)} ms` : undefined);
      },
    });

    // Assess
    expect(outcome.report).toBe('');
    expect(outcome.ran).toBe(CASES);
  });

  it('stops at the first short page when TotalCount claims more images than the pages hold', async () => {
    // Prepare
    server.script(json(200, JSON.stringify({ ...DESCRIBE, TotalCount: 1_000_000 })), EMPTY_PAGE);
    const before = server.requests();

    // Act
    const images = await cloud.listImages('cn-hangzhou', { states: ALL_IMAGE_STATES });

    // Assess
    expect(images.map((image) => image.id)).toEqual(['m-bp1g7004ksh0oeuc****']);
    expect(server.requests() - before).toBe(1);
  });
});
