import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CopyInFlight, CopyRequest } from '../../../shared/core/ports/copy-provider';
import { decodeHandle, encodeHandle } from '../../../shared/providers/huawei-ims/handle';
import type { HuaweiImsCopyProvider } from '../../../shared/providers/huawei-ims/huawei-copy-provider';
import { COPY_SECONDS, DESTINATION, INIT_SECONDS, type ImsKit, SOURCE, copyRequest, inFlight, startImsKit } from './ims-test-kit';

describe('Huawei provider: observeCopies', () => {
  let kit: ImsKit;
  let provider: HuaweiImsCopyProvider;
  beforeEach(async () => {
    kit = await startImsKit();
    provider = kit.provider();
  });
  afterEach(() => kit.close());

  const start = async (request: CopyRequest = copyRequest()): Promise<CopyInFlight> => {
    const result = await provider.startCopy(request);
    if (result.kind !== 'started') throw new Error(`copy not started: ${JSON.stringify(result)}`);
    return inFlight(request, result.handle);
  };

  const observe = async (copy: CopyInFlight) => (await provider.observeCopies([copy])).get(copy.jobId);

  it('reports INIT as running at 0 % and RUNNING with the job fraction as a percentage', async () => {
    // Prepare
    const copy = await start();

    // Act
    const init = await observe(copy);
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS * 0.4);
    const running = await observe(copy);

    // Assess
    expect(init).toMatchObject({ state: 'running', progressPercent: 0 });
    expect(running).toMatchObject({ state: 'running', progressPercent: 40 });
  });

  it('tags the destination image with ours and the caller\'s after SUCCESS, then reports it available', async () => {
    // Prepare
    const copy = await start();
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);

    // Act
    const seen = await observe(copy);

    // Assess
    expect(seen).toMatchObject({ state: 'available', imageId: expect.any(String) });
    const imageId = seen?.state === 'available' ? seen.imageId : '';
    expect(kit.sim.inspect.image(imageId)?.tags).toEqual({
      'image-replicator_managed': 'true',
      'image-replicator_job': copy.jobId,
      'image-replicator_source-image': copy.sourceImageId,
      'image-replicator_source-region': SOURCE,
      role: 'golden',
    });
    expect(decodeHandle(seen?.state === 'available' ? (seen.handle ?? '') : '')?.imageId).toBe(imageId);
  });

  it('reports how long the copy took by IMS\'s clock (the job\'s begin to end time), however late it is looked at', async () => {
    // Prepare: the copy ends after INIT and its transfer; the first look comes an hour later
    const copy = await start();
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS + 3600);

    // Act
    const seen = await observe(copy);

    // Assess
    expect(seen).toMatchObject({ state: 'available', copySeconds: INIT_SECONDS + COPY_SECONDS });
  });

  it('tags again harmlessly when a finished copy is observed twice', async () => {
    // Prepare
    const copy = await start();
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);
    await observe(copy);

    // Act
    const second = await observe(copy);

    // Assess
    expect(second?.state).toBe('available');
    expect(kit.sim.requests.count('BatchAddOrDeleteTags')).toBe(2);
    expect(kit.sim.inspect.images(DESTINATION)[0]?.tags).toHaveProperty('image-replicator_managed', 'true');
  });

  it('reports a FAIL job as failed with its code and reason, with a leftover while the killed image remains', async () => {
    // Prepare
    kit.sim.inspect.failNextCopies(1);
    const copy = await start();
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);

    // Act
    const seen = await observe(copy);

    // Assess
    expect(seen).toMatchObject({ state: 'failed', code: 'IMG.0014', leftover: true, message: expect.stringContaining('failed at') });
    expect(kit.sim.inspect.images(DESTINATION).map((i) => i.status)).toEqual(['killed']);
  });

  it('reports no leftover when IMS removed the failed copy\'s image', async () => {
    // Prepare
    kit.sim.inspect.setQuirks({ failedCopyImage: 'removed' });
    kit.sim.inspect.failNextCopies(1);
    const copy = await start();
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);

    // Act
    const seen = await observe(copy);

    // Assess
    expect(seen).toMatchObject({ state: 'failed', leftover: false });
  });

  it('keeps a job that never ends running, whatever the clock says', async () => {
    // Prepare
    kit.sim.inspect.stallNextCopies(1);
    const copy = await start();

    // Act
    kit.clock.advanceSeconds(30 * 24 * 3600);
    const seen = await observe(copy);

    // Assess
    expect(seen).toMatchObject({ state: 'running', progressPercent: expect.any(Number) });
    expect(kit.sim.inspect.runningCopies()).toBe(1);
  });

  it('reports missing when the finished copy\'s image vanished before it could be tagged', async () => {
    // Prepare
    kit.sim.inspect.setQuirks({ imageIdWhileRunning: true });
    const copy = await start();
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);
    const imageId = kit.sim.inspect.jobs()[0]?.copy?.destinationImageId ?? '';
    kit.sim.inspect.removeImage(imageId);

    // Act
    const seen = await observe(copy);

    // Assess
    expect(seen).toEqual({ state: 'missing' });
  });

  it('learns the destination image id while running when IMS tells it, and hands back a richer handle', async () => {
    // Prepare
    kit.sim.inspect.setQuirks({ imageIdWhileRunning: true });
    const copy = await start();

    // Act
    const seen = await observe(copy);

    // Assess
    const imageId = kit.sim.inspect.jobs()[0]?.copy?.destinationImageId;
    expect(seen).toMatchObject({ state: 'running', imageId });
    expect(decodeHandle(seen?.state === 'running' ? (seen.handle ?? '') : '')).toMatchObject({ imageId, imsJobId: expect.any(String) });
  });

  it('looks in the destination by name and marker when the handle has no IMS job (queued → running, active → available)', async () => {
    // Prepare
    const request = copyRequest();
    await start(request);
    const withoutJob = inFlight(request, encodeHandle({ sourceRegion: SOURCE, destinationRegion: DESTINATION, name: request.destination.name, jobId: request.jobId }));

    // Act
    const queued = await observe(withoutJob);
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);
    const active = await observe(withoutJob);

    // Assess
    expect(queued).toMatchObject({ state: 'running', imageId: expect.any(String) });
    expect(active).toMatchObject({ state: 'available' });
    expect(kit.sim.requests.count('ShowJob')).toBe(0);
  });

  it('reports missing for a handle with no job and no image of ours in the destination', async () => {
    // Prepare
    const request = copyRequest();
    const copy = inFlight(request, encodeHandle({ sourceRegion: SOURCE, destinationRegion: DESTINATION }));

    // Act
    const seen = await observe(copy);

    // Assess
    expect(seen).toEqual({ state: 'missing' });
  });

  it('falls back to the destination when IMS no longer knows the job (404)', async () => {
    // Prepare
    const request = copyRequest();
    const started = await start(request);
    const decoded = decodeHandle(started.handle);
    const forgotten = inFlight(request, encodeHandle({ ...decoded!, imsJobId: 'ffffffffffffffffffffffffffffffff' }));

    // Act
    const seen = await observe(forgotten);

    // Assess
    expect(seen).toMatchObject({ state: 'running', imageId: expect.any(String) });
    expect(kit.sim.requests.recent('ShowJob').map((r) => r.status)).toEqual([404]);
  });

  it('answers unobserved for one copy in trouble and still observes the others', async () => {
    // Prepare
    const goodRequest = copyRequest({ jobId: 'rj-good', destination: { name: 'good' } });
    await start(goodRequest);
    // The good one is found by name, so only the troubled one asks ShowJob, which always fails.
    const good = inFlight(goodRequest, encodeHandle({ sourceRegion: SOURCE, destinationRegion: DESTINATION, name: 'good', jobId: 'rj-good' }));
    const troubled = await start(copyRequest({ jobId: 'rj-troubled', destination: { name: 'troubled' } }));
    const elsewhere = inFlight(copyRequest({ jobId: 'rj-nowhere' }), encodeHandle({ imsJobId: 'a'.repeat(32), sourceRegion: 'la-south-2', destinationRegion: DESTINATION }));
    kit.sim.faults.setActionRates('ShowJob', { internalError: 1 });

    // Act
    const seen = await provider.observeCopies([troubled, elsewhere, good]);

    // Assess
    expect(seen.get('rj-troubled')).toMatchObject({ state: 'unobserved', retryable: true, code: 'IMG.0061' });
    expect(seen.get('rj-nowhere')).toMatchObject({ state: 'unobserved', retryable: false, code: 'HuaweiUnknownRegion' });
    expect(seen.get('rj-good')).toMatchObject({ state: 'running' });
    expect(seen.size).toBe(3);
  });
});
