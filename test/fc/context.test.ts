import { describe, expect, it } from 'vitest';
import { memoizeByCredentials } from '../../shared/platform/fc/context';

describe('memoizeByCredentials', () => {
  const sts = (token: string) => ({ accessKeyId: 'STS.key', accessKeySecret: 'secret', securityToken: token });

  it('builds clients once per credential set and again when FC rotates the STS keys', () => {
    // Prepare
    let builds = 0;
    const clientsFor = memoizeByCredentials(() => ({ build: (builds += 1) }));
    // Act
    const first = clientsFor(sts('token-aaaaaaaaaaaa'));
    const again = clientsFor(sts('token-aaaaaaaaaaaa'));
    const rotated = clientsFor(sts('token-bbbbbbbbbbbb'));
    // Assess
    expect(again).toBe(first);
    expect(rotated).not.toBe(first);
    expect(builds).toBe(2);
  });
});
