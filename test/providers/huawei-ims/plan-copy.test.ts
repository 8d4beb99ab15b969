import { describe, expect, it } from 'vitest';
import { type CloudImage, ImageState } from '../../../shared/core/domain/image';
import { HuaweiImsCopyProvider } from '../../../shared/providers/huawei-ims/huawei-copy-provider';
import { IMS_REGION_IDS, LARGE_COPY_REGIONS } from '../../../shared/providers/huawei-ims/regions';
import { AGENCY, DESTINATION, FAR, HW_CREDENTIALS, SOURCE, copyRequest } from './ims-test-kit';

const PROJECTS = Object.fromEntries(['cn-north-4', 'cn-east-3', 'cn-south-1', 'cn-north-1', 'ap-southeast-1'].map((r, i) => [r, `${i}`.repeat(32)]));

const provider = (options: { agencyName?: string } = { agencyName: AGENCY }) =>
  new HuaweiImsCopyProvider({ account: 'prod', credentials: HW_CREDENTIALS, projectIds: PROJECTS, ...options });

const image = (overrides: Partial<CloudImage> = {}): CloudImage => ({
  id: 'img', region: SOURCE, name: 'golden', state: ImageState.Available, sizeGiB: 10, tags: {}, ...overrides,
});

const plan = (overrides: Parameters<typeof copyRequest>[0] = {}, sourceImage?: CloudImage, p = provider()) => {
  const request = copyRequest(overrides);
  return p.planCopy({ source: request.source, destination: request.destination, sourceImage });
};

describe('Huawei provider: planCopy and capacity', () => {
  it('plans the cross-region copy route for a small private image between known regions', () => {
    expect(plan()).toEqual({ kind: 'copy', route: 'cross-region-copy' });
  });

  it('refuses a copy within one region (IMG.0142)', () => {
    expect(plan({ destination: { region: SOURCE } })).toMatchObject({ kind: 'refused', code: 'IMG.0142' });
  });

  it('refuses an encrypted source image (IMG.0143) and a copy asked to be encrypted', () => {
    expect(plan({}, image({ encrypted: true }))).toMatchObject({ kind: 'refused', code: 'IMG.0143', message: expect.stringContaining('encrypted') });
    expect(plan({ destination: { encrypted: true } })).toMatchObject({ kind: 'refused', code: 'HuaweiNoEncryptionOnCopy' });
  });

  it('caps size at 128 GiB, and at 300 GiB between the four large CN regions', () => {
    // Prepare
    const large = (size: number, to: string) => plan({ source: { sizeGiB: size }, destination: { region: to } });

    // Assess
    expect(large(129, FAR)).toMatchObject({ kind: 'refused', code: 'IMG.0146', message: expect.stringContaining('at most 128 GiB') });
    expect(large(128, FAR)).toMatchObject({ kind: 'copy' });
    expect(large(300, DESTINATION)).toMatchObject({ kind: 'copy' });
    expect(large(301, DESTINATION)).toMatchObject({ kind: 'refused', code: 'IMG.0146', message: expect.stringContaining('at most 300 GiB') });
    // CN North-Beijing1 is not among the four.
    expect(large(200, 'cn-north-1')).toMatchObject({ kind: 'refused', code: 'IMG.0146' });
  });

  it('takes the size from the source image when the request has none', () => {
    expect(plan({ source: { sizeGiB: undefined } }, image({ sizeGiB: 500 }))).toMatchObject({ kind: 'refused', code: 'IMG.0146' });
  });

  it('refuses regions it cannot use: not a region id, unknown to IMS, or without a project id', () => {
    expect(plan({ destination: { region: '../../etc' } })).toMatchObject({ kind: 'refused', code: 'HuaweiUnknownRegion', message: expect.stringContaining('not a Huawei region id') });
    expect(plan({ destination: { region: 'xx-nowhere-9' } })).toMatchObject({ kind: 'refused', message: expect.stringContaining('not an IMS region') });
    expect(plan({ destination: { region: 'eu-west-0' } })).toMatchObject({ kind: 'refused', message: expect.stringContaining('no project id') });
  });

  it('refuses without an agency, from neither the request nor the provider', () => {
    expect(plan({}, undefined, provider({}))).toMatchObject({ kind: 'refused', code: 'HuaweiNoAgency' });
    expect(plan({ destination: { options: { agencyName: 'from_policy' } } }, undefined, provider({}))).toMatchObject({ kind: 'copy' });
  });

  it('refuses names and tags IMS would not take', () => {
    expect(plan({ destination: { name: 'bad/name' } })).toMatchObject({ kind: 'refused', code: 'HuaweiInvalidName' });
    expect(plan({ destination: { name: 'x'.repeat(129) } })).toMatchObject({ kind: 'refused', code: 'HuaweiInvalidName' });
    expect(plan({ destination: { tags: { 'team:owner': 'a' } } })).toMatchObject({ kind: 'refused', code: 'HuaweiInvalidTags' });
    const tooMany = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, 'v']));
    expect(plan({ destination: { tags: tooMany } })).toMatchObject({ kind: 'refused', code: 'HuaweiInvalidTags', message: expect.stringContaining('at most 10') });
  });

  it('gives every copy the one per-tenant slot of five, keyed by account', () => {
    // Act
    const slots = provider().capacity.slotsFor({ sourceRegion: SOURCE, sourceImageId: 'a', destinationRegion: DESTINATION });

    // Assess
    expect(slots).toEqual([{ key: 'huawei/prod/tenant', limit: 5 }]);
  });

  it('knows the 33 IMS regions of the SDK and the four CN regions of the larger cap', () => {
    expect(IMS_REGION_IDS).toHaveLength(33);
    expect([...LARGE_COPY_REGIONS].sort()).toEqual(['cn-east-2', 'cn-east-3', 'cn-north-4', 'cn-south-1']);
    for (const region of LARGE_COPY_REGIONS) expect(IMS_REGION_IDS).toContain(region);
  });

  it('refuses a configuration whose project ids are not 32 hex characters', () => {
    expect(() => new HuaweiImsCopyProvider({ account: 'a', credentials: HW_CREDENTIALS, projectIds: { 'cn-north-4': 'p1' } })).toThrow(/32 hexadecimal/);
    expect(() => new HuaweiImsCopyProvider({ account: 'a', credentials: HW_CREDENTIALS, projectIds: { 'evil.com/x': '0'.repeat(32) } })).toThrow(/region id/);
  });
});
