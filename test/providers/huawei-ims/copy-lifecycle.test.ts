import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImageState } from '../../../shared/core/domain/image';
import type { CopyInFlight } from '../../../shared/core/ports/copy-provider';
import { decodeHandle, encodeHandle } from '../../../shared/providers/huawei-ims/handle';
import type { HuaweiImsCopyProvider } from '../../../shared/providers/huawei-ims/huawei-copy-provider';
import {
  COPY_SECONDS,
  DESTINATION,
  ENCRYPTED_ID,
  GOLDEN_ID,
  INIT_SECONDS,
  type ImsKit,
  JOB_ID,
  SOURCE,
  copyRequest,
  inFlight,
  rejection,
  startImsKit,
} from './ims-test-kit';

const ALL = [ImageState.Pending, ImageState.Available, ImageState.Failed, ImageState.Unavailable];

describe('Huawei provider: find, cancel, delete, replicas and listing', () => {
  let kit: ImsKit;
  let provider: HuaweiImsCopyProvider;
  beforeEach(async () => {
    kit = await startImsKit();
    provider = kit.provider();
  });
  afterEach(() => kit.close());

  const start = async (request = copyRequest()): Promise<CopyInFlight> => {
    const result = await provider.startCopy(request);
    if (result.kind !== 'started') throw new Error(`copy not started: ${JSON.stringify(result)}`);
    return inFlight(request, result.handle);
  };

  it('finds the copy of a job by name and marker, best state first, and nothing for another job', async () => {
    // Prepare
    await start();
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);

    // Act
    const found = await provider.findCopy(copyRequest());
    const other = await provider.findCopy(copyRequest({ jobId: 'rj-other' }));

    // Assess
    expect(found).toMatchObject({ state: ImageState.Available, imageId: expect.any(String) });
    expect(decodeHandle(found?.handle ?? '')).toMatchObject({ imageId: found?.imageId, destinationRegion: DESTINATION, jobId: JOB_ID });
    expect(other).toBeUndefined();
  });

  it('cannot cancel a running IMS copy: unsupported; too-late once it ended; not-found without a trace', async () => {
    // Prepare
    const copy = await start();
    const ghost = inFlight(copyRequest({ jobId: 'rj-ghost' }), encodeHandle({ sourceRegion: SOURCE, destinationRegion: DESTINATION }));

    // Act
    const running = await provider.cancelCopy(copy);
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);
    const ended = await provider.cancelCopy(copy);
    const none = await provider.cancelCopy(ghost);

    // Assess
    expect(running).toEqual({ kind: 'unsupported' });
    expect(ended).toEqual({ kind: 'too-late' });
    expect(none).toEqual({ kind: 'not-found' });
  });

  it('refuses to delete a copy still being made with a retryable IMG.0090, then deletes it once it ended', async () => {
    // Prepare
    const copy = await start();
    kit.clock.advanceSeconds(INIT_SECONDS + 10);

    // Act
    const early = await rejection(provider.deleteCopy(copy));
    kit.clock.advanceSeconds(COPY_SECONDS);
    await provider.deleteCopy(copy);

    // Assess
    expect(early).toMatchObject({ code: 'IMG.0090', retryable: true });
    expect(kit.sim.inspect.images(DESTINATION).map((i) => i.status)).toEqual(['deleted']);
  });

  it('deletes a failed leftover and treats an image already gone as done', async () => {
    // Prepare
    kit.sim.inspect.failNextCopies(1);
    const copy = await start();
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);

    // Act
    await provider.deleteCopy(copy);
    kit.clock.advanceSeconds(3600);
    await provider.deleteCopy(copy);

    // Assess
    expect(kit.sim.inspect.images(DESTINATION)).toEqual([]);
    expect(kit.sim.requests.recent('GlanceDeleteImage').map((r) => r.status)).toEqual([204]);
  });

  it('lists our finished copies as replicas, with the source and job read back from the Huawei tags', async () => {
    // Prepare
    const copy = await start();
    kit.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS);
    await provider.observeCopies([copy]);
    kit.sim.inspect.addImage({ region: DESTINATION, name: 'not-ours', sizeGiB: 5 });

    // Act
    const replicas = await provider.listReplicas(DESTINATION);

    // Assess
    expect(replicas).toHaveLength(1);
    expect(replicas[0]).toMatchObject({
      region: DESTINATION,
      state: ImageState.Available,
      sourceRegion: SOURCE,
      sourceImageId: GOLDEN_ID,
      jobId: JOB_ID,
      sizeGiB: 10,
      tags: { 'image-replicator:managed': 'true', role: 'golden' },
    });
    expect(kit.sim.requests.recent('ListImages').at(-1)?.params['query.tag']).toBe('image-replicator_managed=true');
  });

  it('lists private images with states, GiB from __image_size, tags, encryption; deleted ones are not listed', async () => {
    // Prepare
    kit.sim.inspect.addImage({ region: SOURCE, name: 'uploading', sizeGiB: 3, status: 'saving' });
    kit.sim.inspect.addImage({ region: SOURCE, name: 'broken', sizeGiB: 3, status: 'killed' });
    kit.sim.inspect.addImage({ region: SOURCE, name: 'gone', sizeGiB: 3, status: 'deleted' });
    kit.sim.inspect.addImage({ region: SOURCE, name: 'public', sizeGiB: 3, imageType: 'gold' });

    // Act
    const images = await provider.listImages(SOURCE, { states: ALL, ownedBySelf: true });

    // Assess
    const byName = Object.fromEntries(images.map((i) => [i.name, i]));
    expect(Object.keys(byName).sort()).toEqual(['broken', 'golden-big', 'golden-huge', 'golden-secret', 'golden-web', 'uploading']);
    expect(byName['golden-web']).toMatchObject({ id: GOLDEN_ID, state: ImageState.Available, sizeGiB: 10, tags: { role: 'golden' }, encrypted: false });
    expect(byName['uploading']?.state).toBe(ImageState.Pending);
    expect(byName['broken']?.state).toBe(ImageState.Failed);
    expect(byName['golden-secret']).toMatchObject({ id: ENCRYPTED_ID, encrypted: true });
    expect(kit.sim.requests.recent('ListImages')[0]?.params).toMatchObject({ 'query.__imagetype': 'private', 'query.owner': kit.sim.inspect.projectId(SOURCE) });
  });

  it('filters by one state, tags and id', async () => {
    // Act
    const golden = await provider.listImages(SOURCE, { states: [ImageState.Available], tags: { role: 'golden' } });
    const byId = await provider.listImages(SOURCE, { states: ALL, imageId: GOLDEN_ID });
    const pending = await provider.listImages(SOURCE, { states: [ImageState.Pending] });

    // Assess
    expect(golden.map((i) => i.id)).toEqual([GOLDEN_ID]);
    expect(byId.map((i) => i.name)).toEqual(['golden-web']);
    expect(pending).toEqual([]);
    expect(kit.sim.requests.recent('ListImages')[0]?.params).toMatchObject({ 'query.status': 'active', 'query.tag': 'role=golden' });
  });
});
