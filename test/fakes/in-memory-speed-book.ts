import { type CopySpeeds, decodeCopySpeeds, encodeCopySpeeds } from '../../shared/core/domain/copy-speed';
import type { SpeedBook } from '../../shared/core/ports/speed-book';

/** Speeds kept as the stores keep them (encoded), so a test reads back what a store would. */
export class InMemorySpeedBook implements SpeedBook {
  readonly documents = new Map<string, string>();
  writes = 0;

  async readSpeeds(scope: string): Promise<CopySpeeds> {
    await Promise.resolve();
    const text = this.documents.get(scope);
    return text === undefined ? {} : decodeCopySpeeds(text);
  }

  async writeSpeeds(scope: string, speeds: CopySpeeds): Promise<void> {
    await Promise.resolve();
    this.writes += 1;
    this.documents.set(scope, encodeCopySpeeds(speeds));
  }
}
