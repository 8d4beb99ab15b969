import type { FcContext } from '../../shared/platform/fc/context';

let sequence = 0;

/** One typed FC context for tests: a fresh request id, the function role's STS keys. */
export const fcContext = (overrides: Partial<FcContext> = {}): FcContext => {
  sequence += 1;
  return {
    requestId: `req-${sequence}`,
    credentials: { accessKeyId: 'STS.test', accessKeySecret: 'test-secret-value', securityToken: 'test-token-value' },
    function: { name: 'test' },
    region: 'cn-hangzhou',
    accountId: '1234567890',
    ...overrides,
  };
};
