import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefusalReason } from '../../../shared/core/ports/copy-provider';
import { IMS_RETRY_ATTEMPTS } from '../../../shared/providers/huawei-ims/client';
import { decodeHandle } from '../../../shared/providers/huawei-ims/handle';
import {
  AGENCY,
  BIG_ID,
  DESTINATION,
  GOLDEN_ID,
  type ImsKit,
  JOB_ID,
  SOURCE,
  copyRequest,
  startImsKit,
} from './ims-test-kit';

describe('Huawei provider: startCopy', () => {
  let kit: ImsKit;
  beforeEach(async () => {
    kit = await startImsKit();
  });
  afterEach(() => kit.close());

  it('submits a cross_region_copy on the source endpoint with name, marked description, destination region, project name and agency', async () => {
    // Prepare
    const provider = kit.provider();
    const request = copyRequest();

    // Act
    const result = await provider.startCopy(request);

    // Assess
    expect(result).toMatchObject({ kind: 'started', adopted: false });
    const [sent] = kit.sim.requests.recent('CopyImageCrossRegion');
    expect(sent?.params).toEqual({
      region: SOURCE,
      project: kit.sim.inspect.projectId(SOURCE),
      'path.imageId': GOLDEN_ID,
      'body.name': `golden-web-${DESTINATION}`,
      'body.description': `Web tier golden image image-replicator job ${JOB_ID}`,
      'body.region': DESTINATION,
      'body.project_name': DESTINATION,
      'body.agency_name': AGENCY,
    });
  });

  it('keeps the IMS job id, both regions and the job in a handle under 1 KiB', async () => {
    // Act
    const result = await kit.provider().startCopy(copyRequest());

    // Assess
    if (result.kind !== 'started') throw new Error(`not started: ${result.kind}`);
    expect(result.handle.length).toBeLessThanOrEqual(1024);
    expect(decodeHandle(result.handle)).toEqual({
      imsJobId: kit.sim.inspect.jobs()[0]?.id,
      sourceRegion: SOURCE,
      destinationRegion: DESTINATION,
      imageId: undefined,
      name: `golden-web-${DESTINATION}`,
      jobId: JOB_ID,
    });
  });

  it('takes the agency and project name from the request options before the provider default', async () => {
    // Prepare
    kit.sim.inspect.setAgency({ name: 'copy_agency' });
    const request = copyRequest({ destination: { options: { agencyName: 'copy_agency', projectName: DESTINATION } } });

    // Act
    const result = await kit.provider({ agencyName: 'unused_default' }).startCopy(request);

    // Assess
    expect(result.kind).toBe('started');
    expect(kit.sim.requests.recent('CopyImageCrossRegion')[0]?.params['body.agency_name']).toBe('copy_agency');
  });

  it('makes exactly one copy when the copy answer is lost: unknown, then found by name and marker, never submitted twice', async () => {
    // Prepare
    const provider = kit.provider();
    const request = copyRequest();
    kit.sim.faults.injectNext('CopyImageCrossRegion', 'lostAnswer');

    // Act
    const first = await provider.startCopy(request);
    const found = await provider.findCopy(request);
    const again = await provider.startCopy(request);

    // Assess
    expect(first).toMatchObject({ kind: 'unknown', code: 'NetworkError' });
    expect(found).toMatchObject({ state: 'pending', imageId: expect.any(String) });
    expect(again).toMatchObject({ kind: 'started', adopted: true, imageId: found?.imageId });
    expect(kit.sim.requests.count('CopyImageCrossRegion')).toBe(1);
    expect(kit.sim.inspect.copiesCreated(DESTINATION, request.destination.name)).toBe(1);
  });

  it('counts a copy made twice when nobody looks first (the simulator does not deduplicate)', async () => {
    // Prepare
    const client = kit.client();
    const body = { name: 'twice', region: DESTINATION, project_name: DESTINATION, agency_name: AGENCY };

    // Act
    await client.crossRegionCopy(kit.target(SOURCE), GOLDEN_ID, body);
    await client.crossRegionCopy(kit.target(SOURCE), GOLDEN_ID, body);

    // Assess
    expect(kit.sim.inspect.copiesCreated(DESTINATION, 'twice')).toBe(2);
  });

  it('adopts only its own copy: an image of the same name without our marker is not taken', async () => {
    // Prepare
    const request = copyRequest();
    kit.sim.inspect.addImage({ region: DESTINATION, name: request.destination.name, sizeGiB: 10, description: 'somebody else' });
    kit.sim.inspect.addImage({ region: DESTINATION, name: request.destination.name, sizeGiB: 10, description: 'image-replicator job rj-another-job' });

    // Act
    const result = await kit.provider().startCopy(request);

    // Assess
    expect(result).toMatchObject({ kind: 'started', adopted: false });
    expect(kit.sim.inspect.copiesCreated(DESTINATION, request.destination.name)).toBe(1);
  });

  it('does not adopt a killed copy of the job: a new one is made', async () => {
    // Prepare
    const provider = kit.provider();
    const request = copyRequest();
    kit.sim.inspect.failNextCopies(1);
    await provider.startCopy(request);
    kit.clock.advanceSeconds(2_000);

    // Act
    const again = await provider.startCopy(request);

    // Assess
    expect(again).toMatchObject({ kind: 'started', adopted: false });
    expect(kit.sim.inspect.copiesCreated(DESTINATION, request.destination.name)).toBe(2);
  });

  it('deletes the killed copy of the job before submitting again, so no failed image is left in the destination', async () => {
    // Prepare: the submit answer is lost, and the copy it made fails
    const provider = kit.provider();
    const request = copyRequest();
    kit.sim.faults.injectNext('CopyImageCrossRegion', 'lostAnswer');
    kit.sim.inspect.failNextCopies(1);
    const lost = await provider.startCopy(request);
    kit.clock.advanceSeconds(2_000);
    const [killed] = kit.sim.inspect.images(DESTINATION).filter((image) => image.name === request.destination.name);

    // Act
    const again = await provider.startCopy(request);

    // Assess
    expect(lost).toMatchObject({ kind: 'unknown' });
    expect(killed).toMatchObject({ status: 'killed' });
    expect(again).toMatchObject({ kind: 'started', adopted: false });
    expect(kit.sim.requests.recent('GlanceDeleteImage').map((sent) => sent.params['path.imageId'])).toEqual([killed?.id]);
    expect(kit.sim.inspect.image(killed?.id ?? '')?.deletedAt).toEqual(expect.any(Number));
    expect(kit.sim.requests.count('CopyImageCrossRegion')).toBe(2);
    const left = kit.sim.inspect.images(DESTINATION).filter((image) => image.name === request.destination.name && image.deletedAt === undefined);
    expect(left.map((image) => image.status)).toEqual(['queued']);
  });

  it('answers busy on IMG.0149 when the tenant already runs five copies', async () => {
    // Prepare
    const provider = kit.provider();
    for (let i = 0; i < 5; i += 1) await provider.startCopy(copyRequest({ jobId: `rj-busy-${i}`, destination: { name: `busy-${i}` } }));

    // Act
    const sixth = await provider.startCopy(copyRequest({ jobId: 'rj-busy-5', destination: { name: 'busy-5' } }));

    // Assess
    expect(sixth).toMatchObject({ kind: 'refused', reason: RefusalReason.Busy, code: 'IMG.0149' });
    expect(kit.sim.inspect.runningCopies()).toBe(5);
  });

  it('answers throttled when gateway flow control outlasts the client\'s retries, and unknown on a 5xx', async () => {
    // Prepare
    const provider = kit.provider();
    kit.sim.faults.injectNext('CopyImageCrossRegion', 'throttle', IMS_RETRY_ATTEMPTS);

    // Act
    const throttled = await provider.startCopy(copyRequest());
    kit.sim.faults.injectNext('CopyImageCrossRegion', 'internalError');
    const failed = await provider.startCopy(copyRequest());

    // Assess
    expect(throttled).toMatchObject({ kind: 'refused', reason: RefusalReason.Throttled, code: 'APIGW.0308' });
    expect(failed).toMatchObject({ kind: 'unknown', code: 'IMG.0061' });
  });

  it('refuses as invalid, naming the agency, when the agency lacks rights in the destination (IMG.0151)', async () => {
    // Prepare
    kit.sim.inspect.setAgency({ name: AGENCY, permittedRegions: ['cn-south-1'] });

    // Act
    const result = await kit.provider().startCopy(copyRequest());

    // Assess
    expect(result).toMatchObject({ kind: 'refused', reason: RefusalReason.Invalid, code: 'IMG.0151' });
    expect(result.kind === 'refused' && result.message).toContain(`"${AGENCY}"`);
  });

  it('refuses as invalid when IMS finds the image over the cap although the request did not say its size (IMG.0146)', async () => {
    // Act
    const result = await kit.provider().startCopy(copyRequest({ source: { imageId: BIG_ID, sizeGiB: undefined }, destination: { region: 'ap-southeast-1', name: 'big' } }));

    // Assess
    expect(result).toMatchObject({ kind: 'refused', reason: RefusalReason.Invalid, code: 'IMG.0146' });
  });

  it('refuses before calling when the plan does: nothing reaches the simulator', async () => {
    // Act
    const result = await kit.provider().startCopy(copyRequest({ destination: { region: SOURCE } }));

    // Assess
    expect(result).toMatchObject({ kind: 'refused', reason: RefusalReason.Invalid, code: 'IMG.0142' });
    expect(kit.sim.requests.counts()).toEqual({});
  });

  it('says source-missing when the source image does not exist (IMG.0027)', async () => {
    // Act
    const result = await kit.provider().startCopy(copyRequest({ source: { imageId: '00000000-0000-4000-8000-000000000000' } }));

    // Assess
    expect(result).toMatchObject({ kind: 'source-missing', code: 'IMG.0027' });
  });

  it('throws a terminal error, without the secret, when the credentials are wrong', async () => {
    // Prepare
    const provider = kit.provider({ credentials: { accessKeyId: 'HWTESTAK00000000000001', accessKeySecret: 'not-the-secret' } });

    // Act
    const error = await provider.startCopy(copyRequest()).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string; retryable: boolean },
    );

    // Assess
    expect(error).toMatchObject({ code: 'APIGW.0301', retryable: false });
    expect(error?.message).not.toContain('not-the-secret');
  });
});
