import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HuaweiImsCopyProvider } from '../../../shared/providers/huawei-ims/huawei-copy-provider';
import { DESTINATION, ENCRYPTED_ID, GOLDEN_ID, HW_CREDENTIALS, type ImsKit, SOURCE, rejection, startImsKit } from './ims-test-kit';
import { type ScriptedServer, startScriptedServer } from './scripted-server';

const PARTNER = 'a1'.repeat(16);
const AUDIT = 'b2'.repeat(16);
const STRANGER = 'c3'.repeat(16);

describe('Huawei provider: sharing an image with other projects (IMS members)', () => {
  let kit: ImsKit;
  let provider: HuaweiImsCopyProvider;
  beforeEach(async () => {
    kit = await startImsKit();
    provider = kit.provider();
  });
  afterEach(() => kit.close());

  const golden = { region: SOURCE, imageId: GOLDEN_ID };
  const members = () => kit.sim.inspect.image(GOLDEN_ID)?.members ?? [];

  it('adds the projects as members and reports the image shared with them', async () => {
    // Act
    const result = await provider.shareImage(golden, [PARTNER, AUDIT]);

    // Assess
    expect(result).toEqual({ kind: 'shared', accounts: [PARTNER, AUDIT] });
    expect([...members()].sort()).toEqual([PARTNER, AUDIT].sort());
    expect(kit.sim.requests.recent('BatchAddMembers').map((request) => request.params['body.projects'])).toEqual([JSON.stringify([PARTNER, AUDIT])]);
  });

  it('adds only the projects missing, and nothing when every one is a member already', async () => {
    // Prepare
    await provider.shareImage(golden, [PARTNER]);

    // Act
    const widened = await provider.shareImage(golden, [PARTNER, AUDIT]);
    const again = await provider.shareImage(golden, [PARTNER, AUDIT]);

    // Assess
    expect([widened.kind, again.kind]).toEqual(['shared', 'shared']);
    expect(kit.sim.requests.recent('BatchAddMembers').map((request) => request.params['body.projects'])).toEqual([JSON.stringify([PARTNER]), JSON.stringify([AUDIT])]);
  });

  it('reports IMS refusing to share an encrypted image as refused, with its code', async () => {
    // Act
    const result = await provider.shareImage({ region: SOURCE, imageId: ENCRYPTED_ID }, [PARTNER]);

    // Assess
    expect(result).toMatchObject({ kind: 'refused', code: 'IMG.0098' });
  });

  it('takes every member off an image, and asks nothing when there is none', async () => {
    // Prepare
    await provider.shareImage(golden, [PARTNER, AUDIT]);

    // Act
    await provider.unshareImage(golden, 'all');
    await provider.unshareImage(golden, 'all');

    // Assess
    expect(members()).toEqual([]);
    expect(kit.sim.requests.count('BatchDeleteMembers')).toBe(1);
  });

  it('judges an image shared only with the projects we shared it with by its servers; a stranger member makes it unknown', async () => {
    // Prepare
    await provider.shareImage(golden, [PARTNER]);

    // Act
    const ours = await provider.imageInUse({ ...golden, sharedWith: [PARTNER] });
    await kit.client().addMembers(kit.target(SOURCE), { images: [GOLDEN_ID], projects: [STRANGER] });
    const withStranger = await provider.imageInUse({ ...golden, sharedWith: [PARTNER] });

    // Assess
    expect(ours).toEqual({ state: 'unused' });
    expect(withStranger).toMatchObject({ state: 'unknown' });
  });
});

describe('Huawei provider: a share IMS has not finished', () => {
  let server: ScriptedServer | undefined;
  afterEach(() => server?.close());

  /**
   * IMS lists no members, accepts the share as a job and answers the job as given; with
   * `listedAfterAdding`, the members are listed once the share was asked for.
   */
  const providerWithJob = async (job: Record<string, unknown>, listedAfterAdding = false) => {
    let added = false;
    server = await startScriptedServer((request) => {
      const url = request.url ?? '';
      if (url.endsWith('/members') && request.method === 'GET') {
        return { status: 200, body: JSON.stringify({ members: added && listedAfterAdding ? [{ member_id: PARTNER, status: 'pending' }] : [] }) };
      }
      if (url.endsWith('/cloudimages/members')) {
        added = true;
        return { status: 200, body: JSON.stringify({ job_id: 'd'.repeat(32) }) };
      }
      return { status: 200, body: JSON.stringify({ job_id: 'd'.repeat(32), job_type: 'imsBatchAddMembersJob', begin_time: '', end_time: '', entities: {}, error_code: null, fail_reason: null, ...job }) };
    });
    return new HuaweiImsCopyProvider({
      account: 'a',
      credentials: HW_CREDENTIALS,
      endpointTemplate: server.endpointTemplate,
      projectIds: { [SOURCE]: 'e'.repeat(32), [DESTINATION]: 'f'.repeat(32) },
      agencyName: 'agency',
      retry: { attempts: 1 },
    });
  };

  it('comes back at the next poll while the job runs and the members are not listed yet', async () => {
    // Prepare
    const provider = await providerWithJob({ status: 'RUNNING' });

    // Act
    const error = await rejection(provider.shareImage({ region: SOURCE, imageId: GOLDEN_ID }, [PARTNER]));

    // Assess: retryable, so the job stays sharing and the next poll asks again
    expect(error).toMatchObject({ code: 'HuaweiShareRunning', retryable: true });
  });

  it('reports a share job that failed as refused, with the code and reason IMS gave', async () => {
    // Prepare
    const provider = await providerWithJob({ status: 'FAIL', error_code: 'IMG.0088', fail_reason: 'The number of image members exceeds the quota.' });

    // Act
    const result = await provider.shareImage({ region: SOURCE, imageId: GOLDEN_ID }, [PARTNER]);

    // Assess
    expect(result).toEqual({ kind: 'refused', reason: 'quota', code: 'IMG.0088', message: 'The number of image members exceeds the quota.' });
  });

  it('reports the share done when the job has succeeded', async () => {
    // Prepare
    const provider = await providerWithJob({ status: 'SUCCESS' });

    // Act
    const result = await provider.shareImage({ region: SOURCE, imageId: GOLDEN_ID }, [PARTNER]);

    // Assess
    expect(result).toEqual({ kind: 'shared', accounts: [PARTNER] });
  });

  it('reports the share done when its job failed but the members are listed (an earlier job added them)', async () => {
    // Prepare
    const provider = await providerWithJob({ status: 'FAIL', error_code: 'IMG.0001', fail_reason: 'member exists' }, true);

    // Act
    const result = await provider.shareImage({ region: SOURCE, imageId: GOLDEN_ID }, [PARTNER]);

    // Assess
    expect(result).toEqual({ kind: 'shared', accounts: [PARTNER] });
  });
});
