import { Prng } from '../../sim/prng';

/**
 * Golden images as a build pipeline makes them: sizes spread over an order of magnitude, some
 * there before the run, the rest appearing during it. Drawn from a seeded generator so every run
 * of the bench measures the same worlds.
 */
export interface GoldenImage {
  readonly name: string;
  readonly sizeGiB: number;
  /** Seconds from the start of the run when CreateImage is called; absent: Available before the run. */
  readonly createdAtSeconds?: number | undefined;
  /** How long the new image stays Creating before it is Available (and can be copied). */
  readonly creationSeconds: number;
}

export interface DrawOptions {
  readonly count: number;
  /** How many exist at the start (the sweep finds them); the others appear later. */
  readonly existing: number;
  /** The others appear at uniform random instants within this many seconds of the start. */
  readonly arrivalWindowSeconds: number;
  readonly minGiB?: number | undefined;
  readonly maxGiB?: number | undefined;
}

/** CreateImage of a disk: snapshotting grows with the disk (a plausible model, not a measurement). */
export const creationSeconds = (sizeGiB: number): number => 60 + 4 * sizeGiB;

/** Log-uniform sizes (as many 20–60 GiB images as 100–300 GiB ones), whole GiB. */
export const drawImages = (seed: number, options: DrawOptions): GoldenImage[] => {
  const random = new Prng(seed);
  const min = options.minGiB ?? 20;
  const max = options.maxGiB ?? 300;
  return Array.from({ length: options.count }, (_, index) => {
    const sizeGiB = Math.round(Math.exp(random.between(Math.log(min), Math.log(max))));
    const createdAtSeconds = index < options.existing ? undefined : Math.round(random.between(0, options.arrivalWindowSeconds));
    return { name: `golden-${String(index).padStart(4, '0')}`, sizeGiB, createdAtSeconds, creationSeconds: creationSeconds(sizeGiB) };
  });
};

/** When the image can first be copied, seconds from the start of the run. */
export const releaseSeconds = (image: GoldenImage): number => (image.createdAtSeconds === undefined ? 0 : image.createdAtSeconds + image.creationSeconds);
