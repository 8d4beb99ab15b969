import { TerminalError, RetryableError, type ReplicationError } from '../../shared/core/domain/errors';
import { type CloudImage, ImageState } from '../../shared/core/domain/image';
import type { CopyImageCommand, ImageCloud, ImageQuery } from '../../shared/core/ports/image-cloud';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The ImageCloud port in memory, for use-case tests. Copies appear pending and stay so until the
 * test moves them; errors can be scripted per call. The wire-level simulator is the faithful one.
 */
export class FakeImageCloud implements ImageCloud {
  readonly images = new Map<string, Mutable<CloudImage>>();
  readonly copies: CopyImageCommand[] = [];
  readonly calls: { op: string; region: string; query?: ImageQuery }[] = [];
  readonly cancelled: string[] = [];
  readonly deleted: string[] = [];
  readonly #tokens = new Map<string, string>();
  readonly #scriptedCopyErrors: ReplicationError[] = [];
  #seq = 0;

  addImage(image: Partial<CloudImage> & Pick<CloudImage, 'id' | 'region'>): CloudImage {
    const full: Mutable<CloudImage> = {
      name: image.id,
      state: ImageState.Available,
      sizeGiB: 20,
      tags: {},
      createdAt: '2026-01-01T00:00:00.000Z',
      ...image,
    };
    this.images.set(full.id, full);
    return full;
  }

  setState(imageId: string, state: CloudImage['state'], progressPercent?: number): void {
    const image = this.images.get(imageId);
    if (!image) throw new Error(`no image ${imageId}`);
    image.state = state;
    image.progressPercent = progressPercent;
  }

  failNextCopy(error: ReplicationError): void {
    this.#scriptedCopyErrors.push(error);
  }

  async listImages(region: string, query: ImageQuery): Promise<CloudImage[]> {
    await Promise.resolve();
    this.calls.push({ op: 'listImages', region, query });
    return [...this.images.values()]
      .filter((i) => i.region === region)
      .filter((i) => query.imageId === undefined || i.id === query.imageId)
      .filter((i) => query.states.includes(i.state))
      .filter((i) => Object.entries(query.tags ?? {}).every(([k, v]) => i.tags[k] === v))
      .filter((i) => query.createdSince === undefined || (i.createdAt ?? '') >= query.createdSince.toISOString())
      .map((i) => ({ ...i }));
  }

  async copyImage(command: CopyImageCommand): Promise<{ imageId: string }> {
    await Promise.resolve();
    this.calls.push({ op: 'copyImage', region: command.sourceRegion });
    const scripted = this.#scriptedCopyErrors.shift();
    if (scripted) throw scripted;
    const known = this.#tokens.get(command.idempotencyToken);
    if (known) return { imageId: known };
    const source = this.images.get(command.sourceImageId);
    if (!source || source.region !== command.sourceRegion) throw new TerminalError('InvalidImageId.NotFound', 'no such image');
    if (source.state !== ImageState.Available) throw new TerminalError('IncorrectImageStatus', 'The image not available.');
    const busy = [...this.images.values()].some(
      (i) => i.state === ImageState.Pending && i.tags['image-replicator:source-image'] === command.sourceImageId,
    );
    if (busy) throw new RetryableError('OperationDenied.ImageCopyConflict', 'The same image cannot be copied concurrently.');
    this.#seq += 1;
    const id = `m-copy${this.#seq}`;
    this.addImage({
      id,
      region: command.destinationRegion,
      name: command.name,
      state: ImageState.Pending,
      progressPercent: 0,
      sizeGiB: source.sizeGiB,
      tags: { ...command.tags },
      createdAt: new Date(Date.parse('2026-01-01T00:00:00Z') + this.#seq).toISOString(),
    });
    this.copies.push(command);
    this.#tokens.set(command.idempotencyToken, id);
    return { imageId: id };
  }

  async cancelCopy(region: string, imageId: string): Promise<void> {
    await Promise.resolve();
    const image = this.images.get(imageId);
    if (!image || image.region !== region) throw new TerminalError('InvalidImageId.NotFound', 'no such image');
    if (image.state !== ImageState.Pending) throw new TerminalError('IncorrectImageStatus', 'The image is copied finished.');
    this.images.delete(imageId);
    this.cancelled.push(imageId);
  }

  async deleteImage(region: string, imageId: string): Promise<void> {
    await Promise.resolve();
    const image = this.images.get(imageId);
    if (image && image.region === region) {
      this.images.delete(imageId);
      this.deleted.push(imageId);
    }
  }
}
