import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultController } from '../faults';
import { Prng } from '../prng';
import { RequestLog } from '../request-log';
import { ScaledSimClock, type SimClock } from '../sim-clock';
import { ImsSignatureVerifier } from './auth';
import { handleImsRequest } from './http';
import { ImsInspection } from './inspection';
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

/**
 * A wire-faithful Huawei Cloud IMS endpoint on 127.0.0.1 for every region of the seed: the
 * region is the first path segment (or the Host of the real endpoint), requests must be signed
 * with SDK-HMAC-SHA256, and copies run as jobs on the virtual clock.
 */
export const createImsSimulator = async (options: ImsSimulatorOptions = {}): Promise<ImsSimulator> => {
  const seed = parseImsSeed(options.seed ?? {});
  const clock = options.clock ?? new ScaledSimClock(seed.speed, seed.startTime === undefined ? new Date() : new Date(seed.startTime));
  const state = new ImsSimState(
    seed.regions,
    seed.copy,
    { name: seed.agency.name ?? undefined, permittedRegions: seed.agency.permittedRegions },
    seed.quirks,
    clock,
    new Prng(seed.randomSeed),
  );
  populate(state, seed);
  const faults = new FaultController(seed.faults, new Prng(seed.randomSeed + 1));
  const requests = new RequestLog();
  const held = new Set<ServerResponse>();
  const wallClock = options.wallClock;
  const verifier = new ImsSignatureVerifier(seed.credentials, seed.maxClockSkewSeconds * 1000, wallClock === undefined ? Date.now : () => wallClock.now().getTime());
  const deps = { state, faults, verifier, log: requests, held };

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
    projectIds: Object.fromEntries(seed.regions.map((r) => [r.id, r.projectId])),
    inspect: new ImsInspection(state),
    faults,
    requests,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
};

export { ManualSimClock, ScaledSimClock, type SimClock } from '../sim-clock';
export { FaultKind, type ActionFaultRates, type FaultSettings } from '../faults';
export { loadImsSeedFile, parseImsSeed, ImsSeedError, type ImsSeed, type ImsSeedInput } from './seed';
