import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePolicyConfig } from '../../../shared/core/config/load-policy-config';
import { systemClock } from '../../../shared/core/domain/clock';
import { ImageState } from '../../../shared/core/domain/image';
import { DEFAULT_ACCOUNT, ProviderId } from '../../../shared/core/domain/provider';
import { explicitCredentials } from '../../../shared/providers/alibaba-ecs/credentials';
import { createProviders } from '../../../shared/platform/providers';
import { AGENCY, DESTINATION, GOLDEN_ID, HW_CREDENTIALS, type ImsKit, SOURCE, rejection, startImsKit } from './ims-test-kit';

const policy = (projects: Readonly<Record<string, string>>): string => `
version: 1
policies:
  - name: golden-huawei
    provider: huawei
    huawei: { agencyName: ${AGENCY} }
    source: { region: ${SOURCE}, select: { tags: { role: golden } } }
    destinations:
      - region: ${DESTINATION}
huaweiProjects:
${Object.entries(projects).map(([region, id]) => `  ${region}: ${id}`).join('\n')}
`;

describe('createProviders on Huawei: the IMS client tuned as the Alibaba one is', () => {
  let kit: ImsKit;
  beforeEach(async () => {
    kit = await startImsKit();
  });
  afterEach(() => kit.close());

  const huaweiProvider = (tuning: Parameters<typeof createProviders>[0]['huaweiTuning']) =>
    createProviders({
      env: {},
      config: parsePolicyConfig(policy(kit.sim.projectIds), 'create-providers'),
      alibabaDefault: explicitCredentials({ accessKeyId: 'LTAI-unused', accessKeySecret: 'unused' }),
      huaweiDefault: HW_CREDENTIALS,
      huaweiEndpointTemplate: kit.sim.endpointTemplate,
      huaweiTuning: tuning,
      wallClock: systemClock,
    }).get(ProviderId.Huawei, DEFAULT_ACCOUNT);

  it('sends every IMS request through the injected fetch, and waits between retries with the injected pause', async () => {
    // Prepare
    const sent: string[] = [];
    const waits: number[] = [];
    const provider = huaweiProvider({
      fetch: (input, init) => {
        sent.push(`${init?.method ?? 'GET'} ${new URL(input instanceof Request ? input.url : input).pathname}`);
        return fetch(input, init);
      },
      retry: { pause: async (ms) => void waits.push(ms) },
    });
    kit.sim.faults.injectNext('ListImages', 'throttle');

    // Act
    const images = await provider.listImages(SOURCE, { states: [ImageState.Available], tags: { role: 'golden' } });

    // Assess
    expect(images.map((image) => image.id)).toEqual([GOLDEN_ID]);
    expect(sent).toEqual([`GET /${SOURCE}/v2/cloudimages`, `GET /${SOURCE}/v2/cloudimages`]);
    expect(waits).toHaveLength(1);
  });

  it('gives a withheld answer up after the configured request timeout', async () => {
    // Prepare
    const provider = huaweiProvider({ timeouts: { requestMs: 150 }, retry: { attempts: 1 } });
    kit.sim.faults.injectNext('ListImages', 'noAnswer');

    // Act
    const error = await rejection(provider.listImages(SOURCE, { states: [ImageState.Available] }));

    // Assess
    expect(error).toMatchObject({ code: 'Timeout', retryable: true });
  });
});
