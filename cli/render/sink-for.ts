import type { Io } from '../io';
import { LiveRegionSink, PlainLinesSink, type ProgressSink, silentSink } from './live-view';

/** A live region on a terminal, plain lines elsewhere, nothing for --json. */
export const progressSinkFor = (io: Io, json: boolean): ProgressSink => {
  if (json) return silentSink;
  if (io.tty && io.liveStream !== undefined) return new LiveRegionSink(io.liveStream);
  return new PlainLinesSink(io.out);
};
