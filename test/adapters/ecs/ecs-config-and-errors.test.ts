import { describe, expect, it } from 'vitest';
import { credentialsFromFcContext, redactSecrets, secretsOf, explicitCredentials } from '../../../shared/providers/alibaba-ecs/credentials';
import { toEcsError } from '../../../shared/providers/alibaba-ecs/errors';
import { ecsEndpointFromEnv, parseEcsEndpoint } from '../../../shared/providers/alibaba-ecs/image-cloud';

const context = { action: 'CopyImage', region: 'cn-hangzhou', secrets: ['s3cr3t-value'] };

describe('parseEcsEndpoint', () => {
  it('splits an http URL into the SDK endpoint and protocol', () => {
    // Prepare
    // Act
    const parsed = parseEcsEndpoint('http://127.0.0.1:8123');

    // Assess
    expect(parsed).toEqual({ endpoint: '127.0.0.1:8123', protocol: 'http' });
  });

  it.each(['127.0.0.1:8123', 'ftp://127.0.0.1:21', 'http://127.0.0.1:8123/api', 'http://user@127.0.0.1'])('refuses %s with a config error', (url) => {
    // Prepare
    // Act
    const attempt = () => parseEcsEndpoint(url);

    // Assess
    expect(attempt).toThrow(expect.objectContaining({ code: 'InvalidConfig', retryable: false }));
  });

  it('reads IMAGE_REPLICATOR_ECS_ENDPOINT and is absent without it', () => {
    // Prepare
    // Act
    const set = ecsEndpointFromEnv({ IMAGE_REPLICATOR_ECS_ENDPOINT: 'https://ecs.example.internal' });
    const unset = ecsEndpointFromEnv({});

    // Assess
    expect(set).toEqual({ endpoint: 'ecs.example.internal', protocol: 'https' });
    expect(unset).toBeUndefined();
  });
});

describe('toEcsError', () => {
  it.each([
    [{ name: 'ThrottlingError', code: 'Throttling.User', statusCode: 400 }, 'Throttling.User', true],
    [{ name: 'ServerError', code: 'InternalError', statusCode: 500 }, 'InternalError', true],
    [{ name: 'ServerError', code: 'SomethingNew', statusCode: 502 }, 'SomethingNew', true],
    [{ name: 'ClientError', code: 'InvalidOperation.Conflict', statusCode: 409 }, 'InvalidOperation.Conflict', true],
    [{ name: 'ClientError', code: 'OperationDenied.ImageCopyConflict', statusCode: 400 }, 'OperationDenied.ImageCopyConflict', true],
    [{ name: 'ClientError', code: 'Forbidden.RAM', statusCode: 403 }, 'Forbidden.RAM', false],
    [{ name: 'RequestTimeoutError', message: 'ReadTimeout(500). POST http://x failed.' }, 'Timeout', true],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'NetworkError', true],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'NetworkError', true],
    [{ name: 'ClientError', code: 'InvalidCredentials', message: 'Please set up the credentials' }, 'InvalidCredentials', false],
  ])('classifies %o as %s (retryable %s)', (raw, code, retryable) => {
    // Prepare
    // Act
    const error = toEcsError(raw, context);

    // Assess
    expect(error).toMatchObject({ code, retryable, details: { action: 'CopyImage', region: 'cn-hangzhou' } });
    expect(error.cause).toBe(raw);
  });

  it('keeps the API message and request id, and redacts known secrets', () => {
    // Prepare
    const raw = {
      name: 'ClientError',
      code: 'SignatureDoesNotMatch',
      statusCode: 400,
      requestId: 'REQ-1',
      data: { Message: 'server string to sign was s3cr3t-value', RequestId: 'REQ-1' },
    };

    // Act
    const error = toEcsError(raw, context);

    // Assess
    expect(error.message).toBe('ECS CopyImage in cn-hangzhou failed: SignatureDoesNotMatch: server string to sign was [redacted]');
    expect(error.details).toMatchObject({ requestId: 'REQ-1', httpStatus: 400, apiCode: 'SignatureDoesNotMatch' });
  });
});

describe('alibaba credentials', () => {
  it('reads FC context credentials, naming missing fields without values', () => {
    // Prepare
    const good = { credentials: { accessKeyId: 'STS.a', accessKeySecret: 'b', securityToken: 'c' } };
    const bad = { credentials: { accessKeyId: 'STS.a', securityToken: 'very-secret-token' } };

    // Act
    const parsed = credentialsFromFcContext(good);
    const error = (() => {
      try {
        credentialsFromFcContext(bad);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();

    // Assess
    expect(parsed).toEqual(good.credentials);
    expect(error?.message).toContain('credentials.accessKeySecret');
    expect(error?.message).not.toContain('very-secret-token');
  });

  it('knows which values to redact for explicit and environment credentials', () => {
    // Prepare
    const explicit = explicitCredentials({ accessKeyId: 'id', accessKeySecret: 'sec', securityToken: 'tok' });

    // Act
    const fromExplicit = secretsOf(explicit);
    const fromEnv = secretsOf({ kind: 'default-chain' }, { ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-sec' });

    // Assess
    expect(fromExplicit).toEqual(['sec', 'tok']);
    expect(fromEnv).toEqual(['env-sec']);
    expect(redactSecrets('a sec b tok', fromExplicit)).toBe('a [redacted] b [redacted]');
  });
});
