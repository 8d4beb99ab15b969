import { describe, expect, it } from 'vitest';
import { type FunctionEnv, loadFunctionEnv } from '../../shared/platform/fc/function-env';
import { ConfigError } from '../../shared/core/domain/errors';
import { BOUNDARY_VALUES, UNICODE_SAMPLES } from './kit/mutate';
import type { FuzzRandom } from './kit/random';
import { runCases } from './kit/run-cases';
import { FUZZ_SEEDS } from './kit/seeds';

const CASES = 400;

const VALID: Readonly<Record<string, string>> = {
  IMAGE_REPLICATOR_REGION: 'cn-hangzhou',
  IMAGE_REPLICATOR_POLICY_FILE: 'policy.yaml',
  IMAGE_REPLICATOR_OTS_INSTANCE: 'replicator',
  IMAGE_REPLICATOR_OTS_ENDPOINT: 'https://replicator.cn-hangzhou.vpc.tablestore.aliyuncs.com',
  IMAGE_REPLICATOR_TABLE: 'replication_jobs',
  IMAGE_REPLICATOR_START_COPY_QUEUE: 'image-replicator-start-copy',
  IMAGE_REPLICATOR_NOTIFY_QUEUE: 'image-replicator-notify',
  IMAGE_REPLICATOR_POLL_QUEUE: 'image-replicator-poll',
  IMAGE_REPLICATOR_DEAD_LETTER_QUEUE: 'image-replicator-dead-letters',
  IMAGE_REPLICATOR_ACCOUNT_ID: '1234567890123456',
  IMAGE_REPLICATOR_ECS_ENDPOINT: 'http://127.0.0.1:8123',
  IMAGE_REPLICATOR_LOG_LEVEL: 'info',
  PATH: '/usr/bin',
};

interface EnvCase {
  readonly env: Record<string, string | undefined>;
  readonly steps: readonly string[];
}

const garbage = (random: FuzzRandom, current: string | undefined): { value: string | undefined; step: string } => {
  switch (random.int(0, 7)) {
    case 0:
      return { value: undefined, step: 'unset' };
    case 1:
      return { value: '', step: 'empty' };
    case 2:
      return { value: ` ${current ?? ''} `, step: 'padded with spaces' };
    case 3:
      return { value: random.pick(UNICODE_SAMPLES), step: 'unicode' };
    case 4:
      return { value: 'x'.repeat(random.pick([300, 70_000])), step: 'huge' };
    case 5:
      return { value: String(random.pick(BOUNDARY_VALUES)), step: 'boundary' };
    case 6:
      return { value: (current ?? '').toUpperCase(), step: 'upper-cased' };
    default:
      return { value: random.pick(['http://', 'ftp://x', 'https://user:pw@host', 'localhost:8123', 'not a url', 'cn_hangzhou', 'CN-HANGZHOU', '-x', '0']), step: 'malformed' };
  }
};

const generate = (random: FuzzRandom): EnvCase => {
  const env: Record<string, string | undefined> = { ...VALID };
  const steps: string[] = [];
  const names = Object.keys(VALID).filter((name) => name !== 'PATH');
  for (let i = random.int(1, 4); i > 0; i -= 1) {
    const name = random.pick(names);
    if (random.chance(0.1)) {
      const wrong = random.pick([name.toLowerCase(), `${name}_`, name.replace('IMAGE_REPLICATOR_', '')]);
      env[wrong] = env[name];
      delete env[name];
      steps.push(`${name} renamed to ${wrong}`);
      continue;
    }
    const next = garbage(random, env[name]);
    env[name] = next.value;
    steps.push(`${name}: ${next.step}`);
  }
  if (random.chance(0.2)) {
    delete env.IMAGE_REPLICATOR_POLICY_FILE;
    steps.push('no policy file');
  }
  return { env, steps };
};

const checkCase = (input: EnvCase): string | undefined => {
  let loaded: FunctionEnv;
  try {
    loaded = loadFunctionEnv(input.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) return `threw ${(error as Error).name} instead of ConfigError: ${(error as Error).message.slice(0, 160)}`;
    const lines = error.message.split('\n').slice(1);
    const vague = lines.find((line) => !/^IMAGE_REPLICATOR_[A-Z_]+(:| or IMAGE_REPLICATOR_[A-Z_]+ must be set)/.test(line));
    if (lines.length === 0 || vague !== undefined) return `ConfigError does not name the variable: ${(vague ?? error.message).slice(0, 160)}`;
    return undefined;
  }
  if (loaded.IMAGE_REPLICATOR_POLICY_FILE === undefined && loaded.IMAGE_REPLICATOR_POLICY === undefined) return 'accepted without any policy';
  return undefined;
};

describe('fuzz: function environments into loadFunctionEnv', () => {
  it(`answers a complete environment or a ConfigError naming each bad variable, nothing else (${CASES} cases)`, async () => {
    // Prepare
    const seed = FUZZ_SEEDS.functionEnv;

    // Act
    const outcome = await runCases({
      seed,
      count: CASES,
      generate,
      show: (input) => `${input.steps.join('; ')} :: ${JSON.stringify(input.env).slice(0, 800)}`,
      check: checkCase,
    });

    // Assess
    expect(outcome.report).toBe('');
    expect(outcome.ran).toBe(CASES);
  });

  it('loads the unmutated starting environment', () => {
    // Prepare
    // Act
    const env = loadFunctionEnv(VALID);

    // Assess
    expect(env).toMatchObject({ IMAGE_REPLICATOR_REGION: 'cn-hangzhou', IMAGE_REPLICATOR_LOG_LEVEL: 'info' });
  });
});
