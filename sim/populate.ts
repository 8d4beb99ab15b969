import type { SimSeed } from './seed';
import type { SimState } from './state';

/** Builds the seeded world: standalone snapshots, images with their disks, then instances launched from them. */
export const populate = (state: SimState, seed: SimSeed): void => {
  for (const snapshot of seed.snapshots) {
    state.addSnapshot({
      ...snapshot,
      createdAt: snapshot.createdAt === undefined ? undefined : Date.parse(snapshot.createdAt),
      origin: 'seed',
    });
  }
  for (const image of seed.images) {
    const count = image.count ?? 1;
    for (let i = 1; i <= count; i += 1) {
      state.addImage({
        region: image.region,
        name: image.count === undefined ? image.name : `${image.name}-${i}`,
        sizeGiB: image.sizeGiB,
        id: image.count === undefined ? image.id : undefined,
        description: image.description,
        status: image.status,
        tags: image.tags,
        createdAt: image.createdAt === undefined ? undefined : new Date(image.createdAt),
        ownerAlias: image.ownerAlias,
        encrypted: image.encrypted,
        kmsKeyId: image.kmsKeyId,
        disks: image.disks,
        platform: image.platform,
        architecture: image.architecture,
        bootMode: image.bootMode,
        imageFamily: image.imageFamily,
        sharedWith: image.sharedWith?.map((accountId) => ({ accountId, sharedAt: state.nowMs() })),
        origin: 'seed',
      });
    }
  }
  for (const instance of seed.instances) {
    const image =
      instance.imageId === undefined ? state.imagesIn(instance.region).find((candidate) => candidate.name === instance.image) : state.findImage(instance.region, instance.imageId);
    if (!image) throw new Error(`seeded instance refers to a missing image (${instance.image ?? instance.imageId ?? ''})`);
    state.addInstance({ region: instance.region, imageId: image.id, id: instance.id, name: instance.name, status: instance.status });
  }
};
