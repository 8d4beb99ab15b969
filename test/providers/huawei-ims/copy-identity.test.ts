import { describe, expect, it } from 'vitest';
import { ReplicaTag } from '../../../shared/core/domain/image';
import { MAX_DESCRIPTION_LENGTH, markedDescription, markedJobId, nameProblem } from '../../../shared/providers/huawei-ims/copy-identity';
import { decodeHandle, encodeHandle } from '../../../shared/providers/huawei-ims/handle';
import { fromImsTags, tagProblem, toImsTags } from '../../../shared/providers/huawei-ims/tags';

describe('how a Huawei copy is recognised and recorded', () => {
  it('appends the job marker to the description and reads the job back', () => {
    // Act
    const description = markedDescription('Web tier golden image', 'rj-abc');

    // Assess
    expect(description).toBe('Web tier golden image image-replicator job rj-abc');
    expect(markedJobId(description)).toBe('rj-abc');
    expect(markedJobId('image-replicator job rj-abc and more')).toBeUndefined();
    expect(markedJobId(undefined)).toBeUndefined();
  });

  it('keeps the marker within 1024 characters and drops CR, LF and angle brackets', () => {
    // Act
    const long = markedDescription(`${'a'.repeat(2000)}`, 'rj-abc');
    const dirty = markedDescription('line one\r\nline <two>', 'rj-abc');

    // Assess
    expect(long.length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH);
    expect(markedJobId(long)).toBe('rj-abc');
    expect(dirty).toBe('line one line two image-replicator job rj-abc');
  });

  it('accepts IMS image names and says why others are refused', () => {
    expect(nameProblem('golden-web 2026.11_a')).toBeUndefined();
    expect(nameProblem('金色镜像')).toBeUndefined();
    expect(nameProblem(' leading')).toMatch(/no space at either end/);
    expect(nameProblem('a/b')).toMatch(/only letters/);
    expect(nameProblem('')).toMatch(/1–128/);
  });

  it('stores the product\'s tag keys under Huawei spellings and reads them back', () => {
    // Prepare
    const tags = { [ReplicaTag.Managed]: 'true', [ReplicaTag.Job]: 'rj-1', role: 'golden' };

    // Act
    const stored = toImsTags(tags);
    const read = fromImsTags(stored.map(({ key, value }) => `${key}=${value}`));

    // Assess
    expect(stored.map((t) => t.key)).toEqual(['image-replicator_managed', 'image-replicator_job', 'role']);
    expect(read).toEqual(tags);
    expect(tagProblem(tags)).toBeUndefined();
    expect(tagProblem({ 'a:b': 'c' })).toMatch(/not an IMS tag key/);
    expect(tagProblem({ a: '2026-11-20T08:00:00Z' })).toMatch(/not an IMS tag value/);
  });

  it('reads a handle back, and nothing from a string that is not one', () => {
    // Prepare
    const handle = encodeHandle({ imsJobId: 'a'.repeat(32), sourceRegion: 'cn-north-4', destinationRegion: 'cn-east-3', name: 'n', jobId: 'rj-1' });

    // Assess
    expect(decodeHandle(handle)).toEqual({ imsJobId: 'a'.repeat(32), sourceRegion: 'cn-north-4', destinationRegion: 'cn-east-3', imageId: undefined, name: 'n', jobId: 'rj-1' });
    expect(decodeHandle('m-bp1abc')).toBeUndefined();
    expect(decodeHandle('{"v":1,"src":"../x","dst":"cn-east-3"}')).toBeUndefined();
  });
});
