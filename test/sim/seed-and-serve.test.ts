import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { AlibabaEcsImageCloud, parseEcsEndpoint } from '../../shared/providers/alibaba-ecs/image-cloud';
import { ImageState } from '../../shared/core/domain/image';
import { copyDurationMs } from '../../sim/model';
import { loadSeedFile, parseSeed } from '../../sim/seed';
import { runSimulator } from '../../sim/serve';

const failure = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
};

const scratch = mkdtempSync(join(tmpdir(), 'sim-seed-'));
const writeSeed = (name: string, text: string): string => {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
};

describe('simulator seeds', () => {
  it('loads the demo seed: six regions, three golden images, a 2,100 GiB one and one other in cn-hangzhou', async () => {
    // Prepare
    // Act
    const seed = await loadSeedFile('sim/seeds/demo.yaml');

    // Assess
    expect(seed.regions.map((r) => r.id)).toEqual(['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-shenzhen', 'ap-southeast-1', 'eu-central-1']);
    expect(seed.images.filter((i) => i.tags.role === 'golden').map((i) => i.sizeGiB)).toEqual([20, 40, 100]);
    expect(seed.images.filter((i) => i.tags.role === 'golden-data').map((i) => i.sizeGiB)).toEqual([2100]);
    expect(seed.images.filter((i) => i.tags.role !== 'golden' && i.tags.role !== 'golden-data')).toHaveLength(1);
    expect(seed.credentials[0]?.accessKeyId).toBe('LTAI-sim-demo');
  });

  it('sizes the demo so that its copies take seconds of wall time at its speed', async () => {
    // Prepare
    const seed = await loadSeedFile('sim/seeds/demo.yaml');

    // Act
    // The 2,100 GiB image goes through its snapshots over the fast Frankfurt link, not CopyImage.
    const wallSeconds = seed.images.filter((i) => i.sizeGiB <= 2048).map((i) => copyDurationMs(i.sizeGiB, seed.copy) / 1000 / seed.speed);

    // Assess
    expect(Math.max(...wallSeconds)).toBeLessThan(8);
    // One source image copies to one region at a time: five destinations of the largest still fit in 40 s.
    expect(5 * Math.max(...wallSeconds)).toBeLessThan(40);
    expect(Math.min(...wallSeconds)).toBeGreaterThan(1);
  });

  it('names the file and the field of a bad seed', async () => {
    // Prepare
    const path = writeSeed('bad.yaml', 'regions: [cn-hangzhou]\nimages:\n  - { region: cn-hangzhou, name: x, sizeGiB: -1 }\n  - { region: cn-nowhere, name: y, sizeGiB: 1 }\n');

    // Act
    const error = await failure(loadSeedFile(path));

    // Assess
    expect(error.message).toContain(path);
    expect(error.message).toContain('images.0.sizeGiB');
    expect(error.message).toContain('images.1.region');
  });

  it('refuses unknown keys and reads JSON seeds too', async () => {
    // Prepare
    const typo = writeSeed('typo.json', JSON.stringify({ regions: ['cn-hangzhou'], copy: { bandwith: 5 } }));
    const good = writeSeed('good.json', JSON.stringify({ regions: ['cn-hangzhou'], speed: 60 }));

    // Act
    const error = await failure(loadSeedFile(typo));
    const seed = await loadSeedFile(good);

    // Assess
    expect(error.message).toMatch(/copy: .*bandwith/);
    expect(seed.speed).toBe(60);
  });

  it('reports an unreadable seed file by path', async () => {
    // Prepare
    const missing = join(scratch, 'nope.yaml');

    // Act
    const error = await failure(loadSeedFile(missing));

    // Assess
    expect(error.message).toContain(missing);
  });

  it('fills defaults for an empty in-process seed', () => {
    // Prepare
    // Act
    const seed = parseSeed({});

    // Assess
    expect(seed.copy).toEqual({ bandwidthMiBps: 25, overheadSeconds: 120, maxConcurrentPerSourceRegion: 5 });
    expect(seed.faults).toEqual({ actions: {}, copyFailureProbability: 0 });
  });
});

describe('runSimulator', () => {
  it('serves the seed on the given port, prints the endpoint, and stops on SIGTERM', async () => {
    // Prepare
    const lines: string[] = [];
    const signals = new EventEmitter();
    let running: Promise<void> = Promise.resolve();
    const printed = new Promise<string>((resolve) => {
      const out = (line: string) => {
        lines.push(line);
        const match = /export IMAGE_REPLICATOR_ECS_ENDPOINT=(\S+)/.exec(line);
        if (match?.[1]) resolve(match[1]);
      };
      running = runSimulator(['--seed', 'sim/seeds/demo.yaml', '--port', '0', '--speed', '1200'], { out, signals });
    });

    // Act
    const url = await printed;
    const cloud = new AlibabaEcsImageCloud({
      credentials: explicitCredentials({ accessKeyId: 'LTAI-sim-demo', accessKeySecret: 'sim-demo-secret-not-for-production' }),
      endpoint: parseEcsEndpoint(url),
    });
    const golden = await cloud.listImages('cn-hangzhou', { states: [ImageState.Available], tags: { role: 'golden' } });
    signals.emit('SIGTERM');
    await running;

    // Assess
    expect(golden.map((i) => i.sizeGiB).sort((a, b) => a - b)).toEqual([20, 40, 100]);
    expect(lines[0]).toContain('speed 1200x');
    expect(lines.at(-1)).toBe('ECS simulator stopped');
  });
});

describe('runSimulator with a state file', () => {
  /** Serves once until the endpoint is printed, then stops it with SIGTERM and waits for the save on close. */
  const serveOnce = async (state: string): Promise<string[]> => {
    const lines: string[] = [];
    const signals = new EventEmitter();
    let running: Promise<void> = Promise.resolve();
    await new Promise<void>((resolve) => {
      const out = (line: string) => {
        lines.push(line);
        if (line.startsWith('export IMAGE_REPLICATOR_ECS_ENDPOINT=')) resolve();
      };
      running = runSimulator(['--seed', 'sim/seeds/demo.yaml', '--port', '0', '--state', state], { out, signals });
    });
    signals.emit('SIGTERM');
    await running;
    return lines;
  };

  it('writes a new world on the first run and restores it on the next', async () => {
    // Prepare
    const state = join(scratch, 'serve-world.json');

    // Act
    const first = await serveOnce(state);
    const second = await serveOnce(state);

    // Assess
    expect(first).toContain(`World saved to ${state} (new)`);
    expect(second).toContain(`World restored from ${state}`);
  });
});
