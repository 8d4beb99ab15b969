import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../shared/core/domain/clock';
import { FaultController } from './faults';
import { handleRequest } from './http-server';
import { SimInspection } from './inspection';
import { settleWorld } from './lifecycle';
import { type SimWorld, applyWorld, captureWorld, loadWorld, saveWorld } from './persistence';
import { populate } from './populate';
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
  /**
   * Where the world lives between runs. When the file exists the world is restored from it (the
   * seed then only gives credentials, faults and speed); otherwise the seed builds it. The world
   * is saved after every state-changing action and on close.
   */
  readonly stateFile?: string | undefined;
  /** What signed timestamps are checked against; the real wall clock unless a test runs its callers in virtual time. */
  readonly wallClock?: SimClock | undefined;
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
  /** Where the world was restored from, when it was. */
  readonly restoredFrom?: string | undefined;
  /** Writes the world to the state file now (a no-op without one). */
  save(): void;
  close(): Promise<void>;
}

const stateFromSeed = (seed: SimSeed, clock: SimClock): SimState => {
  const state = new SimState(
    { regions: seed.regions, copy: seed.copy, quirks: seed.quirks, imageCreation: seed.imageCreation, accounts: { accountId: seed.accountId, otherAccounts: seed.otherAccounts } },
    clock,
    new Prng(seed.randomSeed),
  );
  populate(state, seed);
  return state;
};

/**
 * Virtual time never runs backwards across a restart: a scaled clock resumes at the saved
 * position, and an injected manual clock that is behind it is moved up to it.
 */
const resumedClock = (world: SimWorld, seed: SimSeed, given: SimClock | undefined): SimClock => {
  if (given === undefined) return new ScaledSimClock(seed.speed, new Date(world.clockMs));
  if (given instanceof ManualClock && given.now().getTime() < world.clockMs) given.set(new Date(world.clockMs));
  return given;
};

const stateFromWorld = (world: SimWorld, clock: SimClock): SimState => {
  const state = new SimState(
    { regions: world.regions, copy: world.copySettings, quirks: world.quirks, imageCreation: world.imageCreation, accounts: world.accounts },
    clock,
    new Prng(world.randomState),
  );
  applyWorld(state, world);
  return state;
};

/** Starts a wire-faithful ECS endpoint on 127.0.0.1 that the real Alibaba SDK talks to unchanged. */
export const createEcsSimulator = async (options: EcsSimulatorOptions = {}): Promise<EcsSimulator> => {
  const seed = parseSeed(options.seed ?? {});
  const world = options.stateFile === undefined ? undefined : loadWorld(options.stateFile);
  const clock =
    world === undefined
      ? (options.clock ?? new ScaledSimClock(seed.speed, seed.startTime === undefined ? new Date() : new Date(seed.startTime)))
      : resumedClock(world, seed, options.clock);
  const state = world === undefined ? stateFromSeed(seed, clock) : stateFromWorld(world, clock);
  const stateFile = options.stateFile;
  const save = (): void => {
    if (stateFile === undefined) return;
    settleWorld(state);
    saveWorld(stateFile, captureWorld(state));
  };
  // A new world is written at once, so a run that dies before its first call still restarts from it.
  if (world === undefined) save();
  const faults = new FaultController(seed.faults, new Prng(seed.randomSeed + 1));
  const requests = new RequestLog();
  const held = new Set<ServerResponse>();
  const deps = { state, faults, verifier: new SignatureVerifier(seed.credentials, options.wallClock === undefined ? Date.now : () => (options.wallClock as SimClock).now().getTime()), log: requests, held, persist: save };

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
    inspect: new SimInspection(state, save),
    faults,
    requests,
    restoredFrom: world === undefined ? undefined : stateFile,
    save,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      save();
    },
  };
};

export { ManualSimClock, ScaledSimClock, type SimClock } from './sim-clock';
export { FaultKind, type ActionFaultRates, type FaultSettings } from './faults';
export { loadSeedFile, parseSeed, SimSeedError, type SimSeed, type SimSeedInput } from './seed';
export { SimStateFileError } from './persistence';
