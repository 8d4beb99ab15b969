import { describe, expect, it } from 'vitest';
import { toStartCopyCommand } from '../../shared/platform/fc/commands';

describe('toStartCopyCommand', () => {
  it('turns a replication request message into a replicate command', () => {
    // Prepare
    const body = JSON.stringify({ type: 'replication.requested', version: 1, origin: 'cli', source: { region: 'cn-hangzhou', imageId: 'm-1' }, policy: 'golden' });
    // Act
    const command = toStartCopyCommand({ kind: 'queue-message', messageId: 'q1', body });
    // Assess
    expect(command).toEqual({ kind: 'replicate', origin: 'cli', provider: 'alibaba', account: 'default', region: 'cn-hangzhou', imageId: 'm-1', policy: 'golden' });
  });

  it('rejects a queue message that breaks its contract, naming the message and the fields', () => {
    // Prepare
    const body = JSON.stringify({ type: 'replication.requested', version: 1, origin: 'x', source: { region: 'nowhere' } });
    // Act
    const decode = () => toStartCopyCommand({ kind: 'queue-message', messageId: 'q9', body });
    // Assess
    expect(decode).toThrow(/q9: source\.region.*source\.imageId/);
  });

  it('reads a version 2 request for another provider and account as it is', () => {
    // Prepare
    const body = JSON.stringify({ type: 'replication.requested', version: 2, origin: 'cli', source: { provider: 'huawei', account: 'prod', region: 'cn-north-4', imageId: 'img-1' } });
    // Act
    const command = toStartCopyCommand({ kind: 'queue-message', messageId: 'q2', body });
    // Assess
    expect(command).toEqual({ kind: 'replicate', origin: 'cli', provider: 'huawei', account: 'prod', region: 'cn-north-4', imageId: 'img-1', policy: undefined });
  });

  it('reads a version 1 dispatch nudge as one for Alibaba source regions', () => {
    // Act
    const command = toStartCopyCommand({ kind: 'queue-message', messageId: 'q3', body: JSON.stringify({ type: 'dispatch.requested', version: 1, reason: 'old', regions: ['cn-hangzhou'] }) });
    // Assess
    expect(command).toEqual({ kind: 'dispatch', reason: 'old', scopes: [{ provider: 'alibaba', account: 'default', regions: ['cn-hangzhou'] }] });
  });

  it('asks for nothing on an ignored event and refuses an invalid one with its reason', () => {
    // Act
    const ignored = toStartCopyCommand({ kind: 'ignored-event', eventId: 'e1', reason: 'DeleteDisk does not create an image' });
    const invalid = () => toStartCopyCommand({ kind: 'invalid', reason: 'the event is not JSON', raw: '<xml/>' });
    // Assess
    expect(ignored).toBeUndefined();
    expect(invalid).toThrow('the event is not JSON');
  });
});
