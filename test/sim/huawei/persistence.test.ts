import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImsClient, type CrossRegionCopyBody } from '../../../shared/providers/huawei-ims/client';
import { FaultKind, type ImsSimulator, SimStateFileError, createImsSimulator } from '../../../sim/huawei/ims-simulator';
import { ManualSimClock } from '../../../sim/sim-clock';
import { AGENCY, COPY_SECONDS, DEFAULT_SEED, DESTINATION, GOLDEN_ID, HW_CREDENTIALS, INIT_SECONDS, SOURCE, rejection } from '../../providers/huawei-ims/ims-test-kit';

const START = '2026-11-20T08:00:00Z';
const COPY: CrossRegionCopyBody = { name: 'golden-web-copy', description: 'd', region: DESTINATION, project_name: DESTINATION, agency_name: AGENCY };

describe('IMS simulator: saving and restoring the simulated tenant', () => {
  let dir: string;
  let stateFile: string;
  let open: ImsSimulator[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ims-state-'));
    stateFile = join(dir, 'world', 'ims.json');
    open = [];
  });
  afterEach(async () => {
    for (const sim of open) await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (clock: ManualSimClock | undefined = new ManualSimClock(START), file: string | undefined = stateFile) => {
    const sim = await createImsSimulator({ seed: DEFAULT_SEED, clock, stateFile: file });
    open.push(sim);
    const client = new ImsClient({ credentials: HW_CREDENTIALS, endpointTemplate: sim.endpointTemplate, timeoutMs: 2_000 });
    const target = (region: string) => ({ region, projectId: sim.inspect.projectId(region) });
    return { sim, clock, client, target };
  };
  const stop = async (sim: ImsSimulator) => {
    open.splice(open.indexOf(sim), 1);
    await sim.close();
  };
  const saved = () => JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;

  it('restores images, jobs, the copy history, settings and the clock after a restart, and the copy goes on', async () => {
    // Prepare
    const first = await start();
    const jobId = await first.client.crossRegionCopy(first.target(SOURCE), GOLDEN_ID, COPY);
    first.sim.inspect.setQuirks({ deletedLingerSeconds: 5 });
    first.clock.advanceSeconds(500);
    const before = { images: first.sim.inspect.images(), jobs: first.sim.inspect.jobs(), records: first.sim.inspect.copyRecords() };
    await stop(first.sim);

    // Act
    const second = await start(new ManualSimClock(START));
    const restoredAt = second.clock.now().toISOString();
    const restored = { images: second.sim.inspect.images(), jobs: second.sim.inspect.jobs(), records: second.sim.inspect.copyRecords() };
    second.clock.advanceSeconds(INIT_SECONDS + COPY_SECONDS - 500);
    const job = await second.client.showJob(second.target(SOURCE), jobId);

    // Assess
    expect(second.sim.restoredFrom).toBe(stateFile);
    expect(restoredAt).toBe('2026-11-20T08:08:20.000Z');
    expect(restored).toEqual(before);
    expect(job).toMatchObject({ status: 'SUCCESS', entities: { process_percent: 1 } });
    expect(second.sim.inspect.copiesCreated(DESTINATION, COPY.name)).toBe(1);
    expect(saved()).toMatchObject({ quirks: { deletedLingerSeconds: 5 } });
  });

  it('issues after a restart exactly the image and job ids an uninterrupted run would', async () => {
    // Prepare
    const twin = await start(new ManualSimClock(START), undefined);
    const first = await start();
    for (const run of [twin, first]) run.sim.inspect.addImage({ region: SOURCE, name: 'before', sizeGiB: 1 });
    await stop(first.sim);

    // Act
    const second = await start();
    const restarted = { image: second.sim.inspect.addImage({ region: SOURCE, name: 'after', sizeGiB: 1 }).id, job: await second.client.crossRegionCopy(second.target(SOURCE), GOLDEN_ID, COPY) };
    const uninterrupted = { image: twin.sim.inspect.addImage({ region: SOURCE, name: 'after', sizeGiB: 1 }).id, job: await twin.client.crossRegionCopy(twin.target(SOURCE), GOLDEN_ID, COPY) };

    // Assess
    expect(restarted).toEqual(uninterrupted);
  });

  it('saves after every state-changing request, atomically, and leaves the file alone on a read', async () => {
    // Prepare
    const first = await start();

    // Act
    const jobId = await first.client.crossRegionCopy(first.target(SOURCE), GOLDEN_ID, COPY);
    const afterCopy = saved();
    first.clock.advanceSeconds(60);
    await first.client.listImages(first.target(DESTINATION), { name: COPY.name });
    const afterRead = saved();

    // Assess
    expect((afterCopy.jobs as Array<{ id: string }>).map((job) => job.id)).toEqual([jobId]);
    expect(afterCopy).toMatchObject({ format: 'image-replicator/ims-simulator-state', version: 1, clockMs: Date.parse(START) });
    expect(afterRead.clockMs).toBe(Date.parse(START));
    expect(readdirSync(join(dir, 'world'))).toEqual(['ims.json']);
  });

  it('keeps a copy whose answer was lost: the change is on disk before the answer is sent', async () => {
    // Prepare
    const first = await start();
    first.sim.faults.injectNext('CopyImageCrossRegion', FaultKind.LostAnswer);

    // Act
    const error = await rejection(first.client.crossRegionCopy(first.target(SOURCE), GOLDEN_ID, COPY));
    // Read before any close: a simulator killed now restarts from this file.
    const onDisk = saved();

    // Assess
    expect(error.code).toBe('NetworkError');
    expect(onDisk.copyRecords).toMatchObject([{ destinationRegion: DESTINATION, name: COPY.name }]);
  });

  it('saves changes made through inspection at once, and the clock position on close', async () => {
    // Prepare
    const first = await start();

    // Act
    first.sim.inspect.failNextCopies(2);
    const afterScript = saved();
    first.clock.advanceSeconds(3600);
    await stop(first.sim);

    // Assess
    expect(afterScript).toMatchObject({ scripted: { failures: 2, stalls: 0 } });
    expect(saved()).toMatchObject({ clockMs: Date.parse(START) + 3_600_000, savedAt: '2026-11-20T09:00:00.000Z' });
  });

  it('keeps the servers started from images across a restart, and reads a file saved before servers were kept', async () => {
    // Prepare
    const first = await start();
    first.sim.inspect.launchServer(SOURCE, GOLDEN_ID);
    await stop(first.sim);
    const withServers = saved();
    writeFileSync(stateFile, JSON.stringify({ ...withServers, servers: undefined }));
    const older = await start();
    const olderServers = await older.client.serversUsingImage(older.target(SOURCE), GOLDEN_ID);
    await stop(older.sim);
    writeFileSync(stateFile, JSON.stringify(withServers));

    // Act
    const second = await start();

    // Assess
    expect(await second.client.serversUsingImage(second.target(SOURCE), GOLDEN_ID)).toBe(1);
    expect(olderServers).toBe(0);
  });

  it('keeps the AS configurations across a restart, and reads a file saved before they were kept', async () => {
    // Prepare
    const first = await start();
    const configId = first.sim.inspect.addScalingConfig(SOURCE, { imageRef: GOLDEN_ID, dataDiskImageIds: [GOLDEN_ID] });
    await stop(first.sim);
    const withConfigs = saved();
    writeFileSync(stateFile, JSON.stringify({ ...withConfigs, scalingConfigs: undefined }));
    const older = await start();
    const olderConfigs = await older.client.scalingConfigs(older.target(SOURCE));
    await stop(older.sim);
    writeFileSync(stateFile, JSON.stringify(withConfigs));

    // Act
    const second = await start();
    const configs = await second.client.scalingConfigs(second.target(SOURCE));

    // Assess
    expect(olderConfigs).toEqual([]);
    expect(configs.map((config) => [config.scaling_configuration_id, config.instance_config?.imageRef, config.instance_config?.disk?.map((disk) => disk.data_disk_image_id ?? null)])).toEqual([
      [configId, GOLDEN_ID, [null, GOLDEN_ID]],
    ]);
  });

  it('builds the world from the seed when there is no file yet, and writes it at once', async () => {
    // Act
    const first = await start();

    // Assess
    expect(first.sim.restoredFrom).toBeUndefined();
    expect((saved().images as Array<{ id: string }>).map((image) => image.id)).toContain(GOLDEN_ID);
  });

  it('resumes a scaled clock at the saved position when no clock is given', async () => {
    // Prepare
    const first = await start();
    first.clock.advanceSeconds(7200);
    await stop(first.sim);

    // Act
    const second = await start(undefined);

    // Assess
    const resumedMs = second.sim.clock.now().getTime() - Date.parse(START);
    expect(resumedMs).toBeGreaterThanOrEqual(7_200_000);
    expect(resumedMs).toBeLessThan(7_260_000);
  });

  it('refuses a file that is not JSON, naming the file', async () => {
    // Prepare
    await stop((await start()).sim);
    writeFileSync(stateFile, '{"format": "image-replicator/ims-simulator-state", "vers');

    // Act
    const error = await rejection(start());

    // Assess
    expect(error).toBeInstanceOf(SimStateFileError);
    expect(error.message).toContain(stateFile);
    expect(error.message).toMatch(/not valid JSON/);
  });

  it('refuses a file whose records are damaged, naming the file and the field', async () => {
    // Prepare
    const first = await start();
    await first.client.crossRegionCopy(first.target(SOURCE), GOLDEN_ID, COPY);
    await stop(first.sim);
    const world = saved();
    writeFileSync(stateFile, JSON.stringify({ ...world, jobs: (world.jobs as object[]).map((job) => ({ ...job, status: 'EXPLODED' })) }));

    // Act
    const error = await rejection(start());

    // Assess
    expect(error).toBeInstanceOf(SimStateFileError);
    expect(error.message).toContain(`IMS simulator state file ${stateFile} is corrupt`);
    expect(error.message).toContain('jobs.0.status');
  });
});
