import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../shared/core/domain/clock';
import { FaultController } from '../faults';
import { Prng } from '../prng';
import { RequestLog } from '../request-log';
import { ScaledSimClock, type SimClock } from '../sim-clock';
import { ImsSignatureVerifier } from './auth';
import { handleImsRequest } from './http';
import { ImsInspection } from './inspection';
import { type ImsWorld, applyImsWorld, captureImsWorld, loadImsWorld, saveImsWorld } from './persistence';
import { type ImsSeed, type ImsSeedInput, parseImsSeed } from './seed';
import { ImsSimState } from './state';

export interface ImsSimulatorOptions {
  /** The world to start with; validated, defaults filled in. */
  readonly seed?: ImsSeedInput | ImsSeed | undefined;
  /** Drives the copy jobs: a manual clock in tests, a scaled one at the seed's speed otherwise. */
  readonly clock?: SimClock | undefined;
  /** What the gateway compares X-Sdk-Date with; the wall clock unless a test says otherwise. */
  readonly wallClock?: SimClock | undefined;
  /** 0 (the default) picks a free port. */
  readonly port?: number | undefined;
  /**
   * Where the world lives between runs. When the file exists the world is restored from it (the
   * seed then only gives credentials, faults, clock skew and speed); otherwise the seed builds it.
   * The world is saved after every request that may change it, every change made through
   * `inspect`, and on close.
   */
  readonly stateFile?: string | undefined;
}

export interface ImsSimulator {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `http://127.0.0.1:<port>/{region}`: the provider's endpointTemplate for this simulator. */
  readonly endpointTemplate: string;
  readonly port: number;
  readonly clock: SimClock;
  readonly seed: ImsSeed;
  /** The tenant's project id per region, as the provider's projectIds option wants them. */
  readonly projectIds: Readonly<Record<string, string>>;
  readonly inspect: ImsInspection;
  readonly faults: FaultController;
  readonly requests: RequestLog;
  /** Where the world was restored from, when it was. */
  readonly restoredFrom?: string | undefined;
  /** Writes the world to the state file now (a no-op without one). */
  save(): void;
  close(): Promise<void>;
}

const populate = (state: ImsSimState, seed: ImsSeed): void => {
  for (const image of seed.images) {
    const count = image.count ?? 1;
    for (let i = 1; i <= count; i += 1) {
      state.addImage({
        region: image.region,
        name: image.count === undefined ? image.name : `${image.name}-${i}`,
        id: image.count === undefined ? image.id : undefined,
        sizeGiB: image.sizeGiB,
        minDiskGiB: image.minDiskGiB,
        description: image.description,
        status: image.status,
        imageType: image.imageType,
        tags: image.tags,
        encrypted: image.encrypted,
        osType: image.osType,
        platform: image.platform,
        // Bulk images get distinct creation times so that paging has an order to follow.
        createdAt: new Date((image.createdAt === undefined ? state.nowMs() - 86_400_000 : Date.parse(image.createdAt)) + (i - 1) * 1000),
      });
    }
  }
};

const stateFromSeed = (seed: ImsSeed, clock: SimClock): ImsSimState => {
  const state = new ImsSimState(
    seed.regions,
    seed.copy,
    { name: seed.agency.name ?? undefined, permittedRegions: seed.agency.permittedRegions },
    seed.quirks,
    clock,
    new Prng(seed.randomSeed),
  );
  populate(state, seed);
  return state;
};

const stateFromWorld = (world: ImsWorld, clock: SimClock): ImsSimState => {
  const state = new ImsSimState(world.regions, world.copySettings, world.agency, world.quirks, clock, new Prng(world.randomState));
  applyImsWorld(state, world);
  return state;
};

/**
 * Virtual time never runs backwards across a restart: a scaled clock resumes at the saved
 * position, and an injected manual clock that is behind it is moved up to it.
 */
const resumedClock = (world: ImsWorld, seed: ImsSeed, given: SimClock | undefined): SimClock => {
  if (given === undefined) return new ScaledSimClock(seed.speed, new Date(world.clockMs));
  if (given instanceof ManualClock && given.now().getTime() < world.clockMs) given.set(new Date(world.clockMs));
  return given;
};

/**
 * A wire-faithful Huawei Cloud IMS endpoint on 127.0.0.1 for every region of the seed: the
 * region is the first path segment (or the Host of the real endpoint), requests must be signed
 * with SDK-HMAC-SHA256, and copies run as jobs on the virtual clock.
 */
export const createImsSimulator = async (options: ImsSimulatorOptions = {}): Promise<ImsSimulator> => {
  const seed = parseImsSeed(options.seed ?? {});
  const stateFile = options.stateFile;
  const world = stateFile === undefined ? undefined : loadImsWorld(stateFile);
  const clock =
    world === undefined
      ? (options.clock ?? new ScaledSimClock(seed.speed, seed.startTime === undefined ? new Date() : new Date(seed.startTime)))
      : resumedClock(world, seed, options.clock);
  const state = world === undefined ? stateFromSeed(seed, clock) : stateFromWorld(world, clock);
  const save = (): void => {
    if (stateFile !== undefined) saveImsWorld(stateFile, captureImsWorld(state));
  };
  // A new world is written at once, so a run that dies before its first call still restarts from it.
  if (world === undefined) save();
  const faults = new FaultController(seed.faults, new Prng(seed.randomSeed + 1));
  const requests = new RequestLog();
  const held = new Set<ServerResponse>();
  const wallClock = options.wallClock;
  const verifier = new ImsSignatureVerifier(seed.credentials, seed.maxClockSkewSeconds * 1000, wallClock === undefined ? Date.now : () => wallClock.now().getTime());
  const deps = { state, faults, verifier, log: requests, held, persist: save };

  const server: Server = createServer((req, res) => {
    handleImsRequest(deps, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    endpointTemplate: `${url}/{region}`,
    port,
    clock,
    seed,
    // From the state: a restored world keeps the regions it was saved with, whatever today's seed says.
    projectIds: Object.fromEntries([...state.regions.values()].map((r) => [r.id, r.projectId])),
    inspect: new ImsInspection(state, save),
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

export { ManualSimClock, ScaledSimClock, type SimClock } from '../sim-clock';
export { FaultKind, type ActionFaultRates, type FaultSettings } from '../faults';
export { loadImsSeedFile, parseImsSeed, ImsSeedError, type ImsSeed, type ImsSeedInput } from './seed';
export { SimStateFileError } from '../persistence';
