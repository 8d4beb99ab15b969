import { describe, expect, it } from 'vitest';
import { huaweiCredentialsFromEnv } from '../../../shared/providers/huawei-ims/credentials';

describe('Huawei credentials from the environment', () => {
  it('reads the AK and SK, and the security token when there is one', () => {
    // Act
    const permanent = huaweiCredentialsFromEnv({ HUAWEICLOUD_SDK_AK: 'ak', HUAWEICLOUD_SDK_SK: 'sk' });
    const temporary = huaweiCredentialsFromEnv({ HUAWEICLOUD_SDK_AK: 'ak', HUAWEICLOUD_SDK_SK: 'sk', HUAWEICLOUD_SDK_SECURITY_TOKEN: 'tok' });

    // Assess
    expect(permanent).toEqual({ accessKeyId: 'ak', accessKeySecret: 'sk' });
    expect(temporary).toEqual({ accessKeyId: 'ak', accessKeySecret: 'sk', securityToken: 'tok' });
  });

  it('names the missing variable and never prints the values it has', () => {
    // Act
    const noSecret = () => huaweiCredentialsFromEnv({ HUAWEICLOUD_SDK_AK: 'visible-ak-123', HUAWEICLOUD_SDK_PROJECT_ID: 'p' });
    const nothing = () => huaweiCredentialsFromEnv({ HUAWEICLOUD_SDK_SK: 'secret-sk-456' });

    // Assess
    expect(noSecret).toThrow('set HUAWEICLOUD_SDK_SK');
    expect(noSecret).not.toThrow(/visible-ak-123/);
    expect(nothing).toThrow(/HUAWEICLOUD_SDK_AK/);
    expect(nothing).not.toThrow(/secret-sk-456/);
  });

  it('treats a blank variable as missing', () => {
    expect(() => huaweiCredentialsFromEnv({ HUAWEICLOUD_SDK_AK: ' ', HUAWEICLOUD_SDK_SK: 'sk' })).toThrow(/HUAWEICLOUD_SDK_AK/);
  });
});
