import { describe, expect, it } from 'vitest';
import { parsePolicyConfig } from '../../shared/core/config/load-policy-config';
import { PROVIDER_RULES } from '../../shared/providers/catalog';

const policy = (destination: string, extra = '') => `
version: 1
${extra}
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [${destination}]
`;

const problemsOf = (text: string): string => {
  try {
    parsePolicyConfig(text, 'policy.yaml', PROVIDER_RULES);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('policies checked against their provider (Alibaba ECS)', () => {
  it.each([
    ['a mistyped region, with a suggestion', '{ region: cn-shangai }', /destinations\[0\]\.region: cn-shangai is not a region of Alibaba Cloud; did you mean cn-shanghai\?/],
    ['a name with a space', '{ region: cn-shanghai, name: "copy of {sourceName}" }', /destinations\[0\]\.name: " " is not allowed in an ECS image name/],
    ['a name that starts with a digit', '{ region: cn-shanghai, name: "1-{sourceName:100}" }', /must start with a letter/],
    ['a name that can start with a digit through {policy}', '{ region: cn-shanghai, name: "{policy}-{sourceId}" }', /\{policy\} can start with a digit/],
    ['a reserved prefix', '{ region: cn-shanghai, name: "aliyun-{sourceName:100}" }', /cannot start with "aliyun"/],
    ['a name that can render too long, with the cut that fits', '{ region: cn-shanghai, name: "{sourceName}-copy" }', /can render up to 133 characters and an ECS image name allows 128; cut a placeholder, e.g. \{sourceName:123\}/],
    ['a description that starts with a URL', '{ region: cn-shanghai, description: "https://x/{sourceId}" }', /description: an ECS image description cannot start with "https:\/\/"/],
  ])('refuses %s, naming the path', (_, destination, expected) => {
    // Act
    const problems = problemsOf(policy(destination));
    // Assess
    expect(problems).toMatch(expected);
  });

  it('accepts names that fit whatever the source name is', () => {
    // Act
    const problems = problemsOf(policy('{ region: cn-shanghai, name: "{sourceName:120}-{destinationRegion:7}" }, { region: eu-central-1, name: "{sourceName}" }'));
    // Assess
    expect(problems).toBe('');
  });

  it('accepts a region newer than the product when the policy declares it', () => {
    // Act
    const refused = problemsOf(policy('{ region: ap-southeast-99 }'));
    const declared = problemsOf(policy('{ region: ap-southeast-99 }', 'extraRegions: [ap-southeast-99]'));
    // Assess
    expect(refused).toMatch(/ap-southeast-99 is not a region of Alibaba Cloud/);
    expect(declared).toBe('');
  });
});

const huawei = (destination: string, extra = '', block = '    huawei: { agencyName: ims_admin_agency }') => `
version: 1
huaweiProjects: { cn-north-4: 0a1b2c3d4e5f60718293a4b5c6d7e8f9, cn-east-3: 1b2c3d4e5f60718293a4b5c6d7e8f90a }
${extra}
policies:
  - name: golden
    provider: huawei
${block}
    source: { region: cn-north-4, select: { tags: { role: golden } } }
    destinations: [${destination}]
`;

describe('policies checked against their provider (Huawei IMS)', () => {
  it('accepts a complete Huawei policy', () => {
    // Act
    const problems = problemsOf(huawei('{ region: cn-east-3, name: "{sourceName:120} copy" }'));
    // Assess
    expect(problems).toBe('');
  });

  it.each([
    ['no agency', huawei('{ region: cn-east-3 }', '', ''), /policies\[0\]\.huawei: a Huawei policy names the IAM agency/],
    ['encryption, which IMS cannot do across regions', huawei('{ region: cn-east-3, encryption: { enabled: true } }'), /destinations\[0\]\.encryption: Huawei IMS cannot encrypt/],
    ['a region without its project id', huawei('{ region: ap-southeast-1 }'), /huaweiProjects\.ap-southeast-1: the project id of ap-southeast-1 is needed/],
    ['a region IMS does not have', huawei('{ region: cn-shanghai }'), /cn-shanghai is not a region of Huawei Cloud/],
    ['a tag key IMS cannot store', huawei('{ region: cn-east-3, tags: { "team:web": x } }'), /destinations\[0\]\.tags: tag key "team:web" is not an IMS tag key/],
    ['more tags than an IMS image holds', huawei(`{ region: cn-east-3, tags: { ${['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => `${k}: v`).join(', ')} } }`), /11 tags, but an IMS image holds at most 10/],
    ['a name character IMS refuses', huawei('{ region: cn-east-3, name: "copy/{sourceId}" }'), /"\/" is not allowed in an IMS image name/],
  ])('refuses %s, naming the path', (_, text, expected) => {
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(problems).toMatch(expected);
  });

  it('refuses Huawei settings in an Alibaba policy', () => {
    // Act
    const problems = problemsOf(policy('{ region: cn-shanghai }').replace('    source:', '    huawei: { agencyName: x }\n    source:'));
    // Assess
    expect(problems).toMatch(/policies\[0\]\.huawei: settings for Huawei in a policy for Alibaba Cloud/);
  });
});

describe('policy features checked against their provider', () => {
  it.each([
    ['a share target that is not an Alibaba account id', policy('{ region: cn-shanghai, shareWith: ["opsteam"] }'), /destinations\[0\]\.shareWith\[0\]: "opsteam" is not an Alibaba Cloud account id/],
    ['an unquoted account id', policy('{ region: cn-shanghai, shareWith: [1234567890123456] }'), /shareWith\[0\]: write account ids in quotes/],
    ['more than 50 accounts', policy(`{ region: cn-shanghai, shareWith: [${Array.from({ length: 51 }, (_, i) => `"${1000000000000000 + i}"`).join(', ')}] }`), /shareWith: at most 50 accounts per image/],
    ['sharing a copy encrypted with the service key', policy('{ region: cn-shanghai, shareWith: ["1000000000000002"], encryption: { enabled: true } }'), /encrypted with a customer key/],
    ['a retention that could delete every copy', policy('{ region: cn-shanghai, retention: { keepNewest: 0 } }'), /keep at least the newest copy/],
    ['a retention that keeps nothing said', policy('{ region: cn-shanghai, retention: { groupBy: family } }'), /say what to keep/],
    ['a negative price', policy('{ region: cn-shanghai }', 'prices: { alibaba: { currency: USD, perGiBMonth: -1 } }'), /prices\.alibaba\.perGiBMonth: a price cannot be negative/],
    ['sharing on Huawei with an account id instead of a project id', huawei('{ region: cn-east-3, shareWith: ["1000000000000002"] }'), /destinations\[0\]\.shareWith\[0\]: "1000000000000002" is not a Huawei project id/],
    [
      'sharing on Huawei with the copy\'s own project',
      huawei('{ region: cn-east-3, shareWith: ["1b2c3d4e5f60718293a4b5c6d7e8f90a"] }'),
      /policies\[0\]\.destinations\[0\]\.shareWith\[0\]: 1b2c3d4e5f60718293a4b5c6d7e8f90a is this configuration's own project in cn-east-3/,
    ],
    [
      'sharing on Huawei with another region\'s project of this configuration',
      huawei('{ region: cn-east-3, shareWith: ["0a1b2c3d4e5f60718293a4b5c6d7e8f9"] }'),
      /policies\[0\]\.destinations\[0\]\.shareWith\[0\]: 0a1b2c3d4e5f60718293a4b5c6d7e8f9 is this configuration's own project in cn-north-4/,
    ],
    [
      'sharing the source on Huawei with its own project',
      huawei('{ region: cn-east-3 }', '', '    huawei: { agencyName: ims_admin_agency }\n    shareInSourceRegion: ["0a1b2c3d4e5f60718293a4b5c6d7e8f9"]'),
      /policies\[0\]\.shareInSourceRegion\[0\]: 0a1b2c3d4e5f60718293a4b5c6d7e8f9 is this configuration's own project in cn-north-4/,
    ],
    [
      'a project listed twice for sharing the source',
      huawei('{ region: cn-east-3 }', '', '    huawei: { agencyName: ims_admin_agency }\n    shareInSourceRegion: ["eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"]'),
      /shareInSourceRegion: an account is listed twice/,
    ],
    ['retention by image family on Huawei', huawei('{ region: cn-east-3, retention: { keepNewest: 2 } }'), /destinations\[0\]\.retention\.groupBy: Huawei IMS images have no family/],
    [
      'a policy-wide retention by image family on Huawei',
      huawei('{ region: cn-east-3 }', '', '    huawei: { agencyName: ims_admin_agency }\n    retention: { keepNewest: 2 }'),
      /policies\[0\]\.retention\.groupBy: Huawei IMS images have no family/,
    ],
    [
      'a deprecation stage on Huawei',
      huawei('{ region: cn-east-3, retention: { keepNewest: 2, groupBy: name-prefix, namePrefixes: [golden-], deprecateFor: 7d } }'),
      /destinations\[0\]\.retention\.deprecateFor: Huawei IMS has no deprecated state/,
    ],
  ])('refuses %s, naming the path', (_, text, expected) => {
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(problems).toMatch(expected);
  });

  it('accepts sharing on Huawei with other projects, from the destination and in the source region', () => {
    // Act
    const problems = problemsOf(huawei('{ region: cn-east-3, shareWith: ["ffffffffffffffffffffffffffffffff"] }', '', '    huawei: { agencyName: ims_admin_agency }\n    shareInSourceRegion: ["eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"]'));
    // Assess
    expect(problems).toBe('');
  });

  it('accepts retention on Huawei by name prefix, without a deprecation stage', () => {
    // Act
    const problems = problemsOf(huawei('{ region: cn-east-3, retention: { keepNewest: 2, groupBy: name-prefix, namePrefixes: [golden-] } }'));
    // Assess
    expect(problems).toBe('');
  });
});
