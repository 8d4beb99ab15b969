import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parsePolicyConfig } from '../../shared/core/config/load-policy-config';
import type { PolicyConfig } from '../../shared/core/config/policy-config';
import { ConfigError } from '../../shared/core/domain/errors';
import { mutate, mutateText, toJsonText } from './kit/mutate';
import type { FuzzRandom } from './kit/random';
import { runCases } from './kit/run-cases';
import { FUZZ_SEEDS } from './kit/seeds';

const CASES = 500;
const ORIGIN = 'fuzz.yaml';

const VALID = `
version: 1
maxConcurrentCopiesPerRegion: 2
policies:
  - name: golden
    source:
      region: cn-hangzhou
      select:
        tags: { role: golden }
        namePattern: "^golden-"
    destinations:
      - region: cn-shanghai
      - region: cn-beijing
        name: "{sourceName}-bj"
        description: "copy of {sourceId}"
        encryption: { enabled: true, kmsKeyId: key-123 }
        tags: { team: platform }
    copyTimeout: 2h
    maxAttempts: 2
    webhooks:
      - name: ops
        url: https://hooks.example.com/replication
        secretEnv: OPS_WEBHOOK_SECRET
      - name: local
        url: http://127.0.0.1:8765/hooks
        secretEnv: LOCAL_WEBHOOK_SECRET
        allowInsecureLoopback: true
`;

/** YAML-only ways to hurt a parser: alias bombs, tags, merge keys, duplicate keys, tabs. */
const YAML_NASTIES = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nversion: 1',
  '!!binary aGVsbG8=',
  'version: !!str 1\npolicies: []',
  'version: 1\nversion: 1\npolicies: []',
  '<<: {version: 1}\npolicies: [{}]',
  'version: 1\npolicies:\n\t- name: a',
  '--- \nversion: 1\n---\nversion: 2',
  'version: 1\npolicies: !!js/function "function(){}"',
  '%YAML 9.9\n---\nversion: 1',
  'version: 1\npolicies: [{name: a, source: {region: cn-a, select: {namePattern: "("}}, destinations: [{region: cn-b}]}]',
];

/** Durations at the edges of `\d+[smhd]`: the field whose value the job table later re-checks. */
const DURATION_EDGES = ['0s', '00m', '1s', '59 s', '30d', '9999999999d', '99999999999999999999d', '1.5h', '-1h', '2H', '1w', ''];

interface ConfigCase {
  readonly text: string;
  readonly steps: readonly string[];
}

const generate = (random: FuzzRandom): ConfigCase => {
  const roll = random.next();
  const base = parseYaml(VALID) as unknown;
  if (roll < 0.05) return { text: random.pick(YAML_NASTIES), steps: ['a YAML nasty'] };
  if (roll < 0.12) {
    const duration = random.pick(DURATION_EDGES);
    return { text: VALID.replace('copyTimeout: 2h', `copyTimeout: "${duration}"`), steps: [`copyTimeout ${JSON.stringify(duration)}`] };
  }
  if (roll < 0.75) {
    const mutated = mutate(random, base, 3, { depths: [20, 300] });
    // YAML is a superset of JSON: half the cases go in as JSON text, half as YAML proper.
    const asJson = toJsonText(mutated.value);
    const text = random.chance(0.5) ? asJson : stringifyYaml(JSON.parse(asJson === '' ? 'null' : asJson) as unknown);
    return { text, steps: mutated.steps };
  }
  const damaged = mutateText(random, VALID);
  return { text: damaged.text, steps: [damaged.step] };
};

const PATH_LINE = /^(\(root\)|[A-Za-z_][\w-]*(\[\d+\]|\.[\w$-]+|\[\d+\])*): \S/;

/** What the product relies on after a config was accepted (the job table refuses other values). */
const invariantProblem = (config: PolicyConfig): string | undefined => {
  for (const [index, policy] of config.policies.entries()) {
    if (!Number.isSafeInteger(policy.copyTimeout) || policy.copyTimeout < 1) return `policies[${index}].copyTimeout accepted as ${policy.copyTimeout}`;
    for (const hook of policy.webhooks) {
      if (!URL.canParse(hook.url)) return `policies[${index}] webhook url ${hook.url} accepted but unparseable`;
    }
  }
  return undefined;
};

const checkCase = (input: ConfigCase): string | undefined => {
  let config: PolicyConfig;
  try {
    config = parsePolicyConfig(input.text, ORIGIN);
  } catch (error) {
    if (!(error instanceof ConfigError)) return `threw ${(error as Error).name} instead of ConfigError: ${(error as Error).message.slice(0, 160)}`;
    const [head, ...lines] = error.message.split('\n');
    if (head?.startsWith(`${ORIGIN}: not valid YAML`)) return undefined;
    if (head !== `${ORIGIN} is not a valid policy file:` || lines.length === 0) return `ConfigError without the file or a path: ${error.message.slice(0, 160)}`;
    const vague = lines.find((line) => !PATH_LINE.test(line));
    return vague === undefined ? undefined : `ConfigError line names no path: ${vague.slice(0, 160)}`;
  }
  return invariantProblem(config);
};

describe('fuzz: policy files into parsePolicyConfig', () => {
  it(`answers a usable config or a ConfigError naming the file and a path, nothing else (${CASES} cases)`, async () => {
    // Prepare
    const seed = FUZZ_SEEDS.policyConfig;

    // Act
    const outcome = await runCases({ seed, count: CASES, generate, show: (input) => `${input.steps.join('; ')} :: ${input.text}`, check: checkCase });

    // Assess
    expect(outcome.report).toBe('');
    expect(outcome.ran).toBe(CASES);
  });

  it('accepts the unmutated starting file, so the mutations are what the errors are about', () => {
    // Prepare
    // Act
    const config = parsePolicyConfig(VALID, ORIGIN);

    // Assess
    expect(config.policies[0]?.copyTimeout).toBe(7200);
    expect(config.policies[0]?.webhooks.map((hook) => hook.name)).toEqual(['ops', 'local']);
  });

  it.each(YAML_NASTIES)('refuses the YAML nasty %j with a ConfigError', (text) => {
    // Prepare
    // Act
    const attempt = () => parsePolicyConfig(text, ORIGIN);

    // Assess
    expect(attempt).toThrow(ConfigError);
  });
});
