import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultController } from './faults';
import { handleRequest } from './http-server';
import { SimInspection } from './inspection';
import { Prng } from './prng';
import { RequestLog } from './request-log';
import { type SimSeed, type SimSeedInput, parseSeed } from './seed';
import { SignatureVerifier } from './signature';
import { ScaledSimClock, type SimClock } from './sim-clock';
import { SimState } from './state';

export interface EcsSimulatorOptions {
  /** The world to start with; validated, defaults filled in. */
  readonly seed?: SimSeedInput | SimSeed | undefined;
  /** A manual clock for tests; otherwise a scaled clock at the seed's speed. */
  readonly clock?: SimClock | undefined;
  /** 0 (the default) picks a free port. */
  readonly port?: number | undefined;
}

export interface EcsSimulator {
  /** `http://127.0.0.1:<port>`: the form IMAGE_REPLICATOR_ECS_ENDPOINT takes. */
  readonly url: string;
  /** `127.0.0.1:<port>`: the form the SDK's `endpoint` takes. */
  readonly endpoint: string;
  readonly port: number;
  readonly clock: SimClock;
  readonly seed: SimSeed;
  readonly inspect: SimInspection;
  readonly faults: FaultController;
  readonly requests: RequestLog;
  close(): Promise<void>;
}

const populate = (state: SimState, seed: SimSeed): void => {
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
      });
    }
  }
};

/** Starts a wire-faithful ECS endpoint on 127.0.0.1 that the real Alibaba SDK talks to unchanged. */
export const createEcsSimulator = async (options: EcsSimulatorOptions = {}): Promise<EcsSimulator> => {
  const seed = parseSeed(options.seed ?? {});
  const clock = options.clock ?? new ScaledSimClock(seed.speed, seed.startTime === undefined ? new Date() : new Date(seed.startTime));
  const random = new Prng(seed.randomSeed);
  const state = new SimState(seed.regions, seed.copy, clock, random, seed.quirks);
  populate(state, seed);
  const faults = new FaultController(seed.faults, new Prng(seed.randomSeed + 1));
  const requests = new RequestLog();
  const held = new Set<ServerResponse>();
  const deps = { state, faults, verifier: new SignatureVerifier(seed.credentials), log: requests, held };

  const server: Server = createServer((req, res) => {
    handleRequest(deps, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    endpoint: `127.0.0.1:${port}`,
    port,
    clock,
    seed,
    inspect: new SimInspection(state),
    faults,
    requests,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
};

export { ManualSimClock, ScaledSimClock, type SimClock } from './sim-clock';
export { FaultKind, type ActionFaultRates, type FaultSettings } from './faults';
export { loadSeedFile, parseSeed, SimSeedError, type SimSeed, type SimSeedInput } from './seed';
