import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImsClient } from '../../../shared/providers/huawei-ims/client';
import { errorFromAnswer } from '../../../shared/providers/huawei-ims/errors';
import { toCloudImage } from '../../../shared/providers/huawei-ims/image-mapping';
import { parseJobTime, showJobAnswerSchema } from '../../../shared/providers/huawei-ims/schemas';
import { HW_CREDENTIALS } from './ims-test-kit';
import { type ScriptedServer, startScriptedServer } from './scripted-server';

const fixture = (name: string): string => readFileSync(`test/fixtures/huawei/${name}`, 'utf8');
const COPY = fixture('huawei-ims-cross-region-copy-request-response.huaweicloudDocs-ims.json');
const JOB_BATCH = fixture('huawei-ims-job-query-response-batch.huaweicloudDocs-ims.json');
const JOB_IMPORT = fixture('huawei-ims-job-query-response.huaweicloud-doc.json');
const JOB_PROGRESS = fixture('huawei-ims-job-progress-response.huaweicloudDocs-ims.json');
const LIST = fixture('huawei-ims-list-images-response-item.huaweicloudDocs-ims.json');
const ERROR = fixture('huawei-ims-error-body.huaweicloudDocs-ims.json');

const TARGET = { region: 'cn-north-4', projectId: '089b2f9a3d80d3062f24c00ca4ed5cbd' };

/** The client reads the answers exactly as the IMS documentation shows them, over real HTTP. */
describe('the IMS client on documented answers', () => {
  let server: ScriptedServer;
  let client: ImsClient;
  let jobAnswer = JOB_BATCH;

  beforeAll(async () => {
    server = await startScriptedServer((request) => {
      const url = request.url ?? '';
      if (url.includes('/cross_region_copy')) return { status: 200, body: JSON.stringify((JSON.parse(COPY) as { response: { body: unknown } }).response.body) };
      if (url.includes('/jobs/')) return { status: 200, body: jobAnswer };
      if (url.includes('/v2/cloudimages')) return { status: 200, body: LIST };
      return { status: 400, body: ERROR };
    });
    client = new ImsClient({ credentials: HW_CREDENTIALS, endpointTemplate: server.endpointTemplate });
  });
  afterAll(() => server.close());

  it('reads the documented cross_region_copy answer as the job id, sending the documented body fields', async () => {
    // Prepare
    const documented = (JSON.parse(COPY) as { request: { body: { name: string; description: string; region: string; project_name: string; agency_name: string } } }).request.body;

    // Act
    const jobId = await client.crossRegionCopy(TARGET, '465076de-dc36-4aec-80f5-ef9d8009428f', documented);

    // Assess
    expect(jobId).toBe('edc89b490d7d4392898e19b2deb34797');
    expect(server.seen.at(-1)).toBe('POST /cn-north-4/v1/cloudimages/465076de-dc36-4aec-80f5-ef9d8009428f/cross_region_copy');
  });

  it('reads the documented ShowJob answer with the old time format and a 0–1 fraction', async () => {
    // Prepare
    jobAnswer = JOB_BATCH;

    // Act
    const job = await client.showJob(TARGET, 'ff8080814dbd65d7014dbe0d84db0013');

    // Assess
    expect(job).toMatchObject({ status: 'SUCCESS', entities: { image_id: 'e9e91bff-14b6-4a0b-8377-4ed0813e3360', process_percent: 0.2 }, end_time: '' });
    expect(parseJobTime(job?.begin_time)?.toISOString()).toBe('2015-06-04T18:11:06.586Z');
  });

  it('reads the documented import-job answer with ISO times', async () => {
    // Prepare
    jobAnswer = JOB_IMPORT;

    // Act
    const job = await client.showJob(TARGET, '9a175ac892fa1342019300224f22218e');

    // Assess
    expect(job).toMatchObject({ status: 'SUCCESS', job_type: 'imsImportImageJob', entities: { image_id: '431df7fd-a898-4dc0-86b1-22cfefb8a517' } });
    expect(parseJobTime(job?.end_time)?.toISOString()).toBe('2024-11-06T06:27:03.742Z');
  });

  it('parses the documented job-progress answer with the same job schema', () => {
    // Act
    const parsed = showJobAnswerSchema.safeParse(JSON.parse(JOB_PROGRESS));

    // Assess
    expect(parsed.success).toBe(true);
    expect(parsed.data?.entities?.process_percent).toBe(0.4);
  });

  it('reads the documented ListImages item: GiB from min_disk when __image_size is absent, tags, no encryption', async () => {
    // Act
    const [image] = await client.listImages(TARGET, {});

    // Assess
    expect(image).toMatchObject({ id: 'bc6bed6e-ba3a-4447-afcc-449174a3eb52', status: 'active', __imagetype: 'gold', min_disk: 100, tags: [] });
    expect(toCloudImage('cn-north-4', image!)).toMatchObject({ state: 'available', sizeGiB: 100, tags: {}, encrypted: false, createdAt: '2018-09-06T14:03:27.000Z' });
  });

  it('reads the documented error body as a terminal IMG error with its code and message', () => {
    // Act
    const error = errorFromAnswer({ operation: 'ListImages', region: 'cn-north-4', secrets: [] }, { status: 400, body: ERROR });

    // Assess
    expect(error).toMatchObject({ code: 'IMG.0024', retryable: false, message: expect.stringContaining('The imagetype is invalid.') });
  });
});
