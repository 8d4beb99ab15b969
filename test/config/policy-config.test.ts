import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicyConfig, resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import { ConfigError } from '../../shared/core/domain/errors';

const valid = (extra = '') => `
version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }]
${extra}`;

const problems = (text: string): string => {
  try {
    parsePolicyConfig(text, 'policy.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
};

describe('policy config', () => {
  it('accepts the example policy and applies defaults', () => {
    // Act
    const config = parsePolicyConfig(readFileSync('examples/policy.yaml', 'utf8'), 'examples/policy.yaml');
    // Assess
    expect(config.policies[0]?.destinations.map((d) => d.region)).toEqual(['cn-shanghai', 'ap-southeast-1', 'eu-central-1']);
    expect(config.policies[0]?.copyTimeout).toBe(6 * 3600);
    expect(config.policies[0]?.destinations[0]?.name).toBe('{sourceName}');
  });

  it('applies defaults for limits, timeout and attempts', () => {
    const config = parsePolicyConfig(valid(), 'p');
    expect(config.maxConcurrentCopiesPerRegion).toBe(5);
    expect(config.policies[0]).toMatchObject({ copyTimeout: 43200, maxAttempts: 3, webhooks: [] });
  });

  it.each([
    ['an unknown key', valid().replace('destinations:', 'destinaton: []\n    destinations:'), /policies\[0\]: Unrecognized key: "destinaton"/],
    ['a bad region', valid().replace('cn-shanghai', 'Shanghai'), /policies\[0\]\.destinations\[0\]\.region: expected a region id/],
    ['the source region as destination', valid().replace('cn-shanghai', 'cn-hangzhou'), /destinations\[0\]\.region: the destination is the source region/],
    ['an empty selection', valid().replace('{ tags: { role: golden } }', '{}'), /select: select images by at least one/],
    ['a bad name pattern', valid().replace('{ tags: { role: golden } }', '{ namePattern: "golden-[" }'), /namePattern: not a valid RE2 regular expression/],
    ['a look-ahead, which linear-time matching cannot do', valid().replace('{ tags: { role: golden } }', '{ namePattern: "^(?=golden)" }'), /namePattern: not a valid RE2 regular expression/],
    ['a brace outside a placeholder', valid().replace('{ region: cn-shanghai }', '{ region: cn-shanghai, name: "golden}-x" }'), /name: a brace/],
    ['a webhook at the metadata service', valid('    webhooks: [{ name: ops, url: "https://100.100.100.200/latest", secretEnv: OPS }]'), /webhooks\[0\]\.url: webhooks cannot target a shared \(CGNAT\) address/],
    ['a webhook at a link-local address', valid('    webhooks: [{ name: ops, url: "https://169.254.169.254/", secretEnv: OPS }]'), /webhooks\[0\]\.url: webhooks cannot target a link-local address/],
    ['a webhook at a private address', valid('    webhooks: [{ name: ops, url: "https://10.1.2.3/hook", secretEnv: OPS }]'), /webhooks cannot target a private address/],
    ['a webhook at loopback in decimal form', valid('    webhooks: [{ name: ops, url: "https://2130706433/hook", secretEnv: OPS }]'), /webhooks cannot target a loopback address/],
    ['a webhook at loopback in hex form', valid('    webhooks: [{ name: ops, url: "https://0x7f000001/hook", secretEnv: OPS }]'), /webhooks cannot target a loopback address/],
    ['a webhook at an IPv6 private address', valid('    webhooks: [{ name: ops, url: "https://[fd00::1]/hook", secretEnv: OPS }]'), /webhooks cannot target a private \(unique local\) address/],
    ['a region that could become a host name', valid().replace('{ region: cn-shanghai }', '{ region: "x@attacker:8080/" }'), /destinations\[0\]\.region: expected a region id/],
    ['an unknown placeholder', valid().replace('{ region: cn-shanghai }', '{ region: cn-shanghai, name: "{source}-x" }'), /name: placeholders must be one of/],
    ['a reserved tag key', valid().replace('{ region: cn-shanghai }', '{ region: cn-shanghai, tags: { "acs:x": y } }'), /tags.*cannot start with aliyun or acs:/],
    ['a KMS key without encryption', valid().replace('{ region: cn-shanghai }', '{ region: cn-shanghai, encryption: { enabled: false, kmsKeyId: k } }'), /encryption: kmsKeyId needs enabled: true/],
    ['a bad duration', valid('    copyTimeout: 6 hours'), /copyTimeout/],
    ['a wrong version', valid().replace('version: 1', 'version: 2'), /version: /],
    ['plain http to a remote webhook', valid('    webhooks: [{ name: ops, url: "http://hooks.example.com/x", secretEnv: OPS }]'), /webhooks\[0\]\.url: webhooks must use https/],
    ['plain http to loopback without consent', valid('    webhooks: [{ name: ops, url: "http://127.0.0.1:9/x", secretEnv: OPS }]'), /webhooks\[0\]\.url: webhooks cannot target a loopback address/],
    ['https to loopback without consent', valid('    webhooks: [{ name: ops, url: "https://localhost/x", secretEnv: OPS }]'), /webhooks\[0\]\.url: webhooks cannot target this machine/],
    ['a secret in the file', valid('    webhooks: [{ name: ops, url: "https://h.example.com", secret: abc, secretEnv: OPS }]'), /Unrecognized key: "secret"/],
    ['YAML that does not parse', 'version: [1', /not valid YAML/],
  ])('rejects %s, naming the path', (_, text, expected) => {
    expect(problems(text)).toMatch(expected);
  });

  it('accepts plain http to loopback when the config says so', () => {
    const config = parsePolicyConfig(valid('    webhooks: [{ name: ops, url: "http://127.0.0.1:9/x", secretEnv: OPS, allowInsecureLoopback: true }]'), 'p');
    expect(config.policies[0]?.webhooks[0]?.url).toBe('http://127.0.0.1:9/x');
  });

  it('names the environment variable of a missing webhook secret without printing any secret', () => {
    const config = parsePolicyConfig(valid('    webhooks: [{ name: ops, url: "https://h.example.com", secretEnv: OPS_SECRET }, { name: audit, url: "https://a.example.com", secretEnv: AUDIT_SECRET }]'), 'p');
    const act = () => resolveWebhookSecrets(config, { OPS_SECRET: 'present-and-long-enough' });
    expect(act).toThrow(/golden\/audit: AUDIT_SECRET/);
    expect(act).not.toThrow(/present-and-long-enough/);
  });
});
