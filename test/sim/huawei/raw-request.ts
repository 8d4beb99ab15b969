import { request as httpRequest } from 'node:http';
import type { AccessKeyCredentials } from '../../../shared/core/ports/credentials';
import { sdkDate, sdkEncode, signRequest } from '../../../shared/providers/huawei-ims/signer';
import type { ImsSimulator } from '../../../sim/huawei/ims-simulator';
import { HW_CREDENTIALS } from '../../providers/huawei-ims/ims-test-kit';

export interface RawRequest {
  readonly method?: 'GET' | 'POST' | 'DELETE';
  /** The API path, without the region prefix. */
  readonly path: string;
  readonly region: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly credentials?: AccessKeyCredentials;
  /** X-Project-Id; the region's project by default. */
  readonly projectId?: string;
  /** Address the real endpoint's Host instead of the /{region} prefix. */
  readonly hostForm?: boolean;
  readonly date?: Date;
}

export interface RawAnswer {
  readonly status: number;
  readonly body: string;
  readonly json: Record<string, unknown>;
}

/** One signed request straight to the simulator (node:http, so the Host header can be the real one). */
export const rawRequest = async (sim: ImsSimulator, request: RawRequest): Promise<RawAnswer> => {
  const method = request.method ?? 'GET';
  const host = request.hostForm === true ? `ims.${request.region}.myhuaweicloud.com` : `127.0.0.1:${sim.port}`;
  const path = request.hostForm === true ? request.path : `/${request.region}${request.path}`;
  const query = request.query ?? {};
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const credentials = request.credentials ?? HW_CREDENTIALS;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Host: host,
    'X-Project-Id': request.projectId ?? sim.projectIds[request.region] ?? '',
    'X-Sdk-Date': sdkDate(request.date ?? new Date()),
  };
  if (credentials.securityToken !== undefined) headers['X-Security-Token'] = credentials.securityToken;
  const { authorization } = signRequest({ method, path, query, headers, body }, { accessKeyId: credentials.accessKeyId, secret: credentials.accessKeySecret });
  const search = Object.entries(query).map(([k, v]) => `${sdkEncode(k)}=${sdkEncode(v)}`).join('&');
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: sim.port, method, path: `${path}${search === '' ? '' : `?${search}`}`, headers: { ...headers, Authorization: authorization } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
          } catch {
            json = {};
          }
          resolve({ status: res.statusCode ?? 0, body: text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
};
