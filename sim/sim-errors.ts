/** An error the simulated API answers with: HTTP status plus Alibaba's stable code and message. */
export class SimApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimApiError';
  }
}

export const missingParameter = (name: string): SimApiError =>
  new SimApiError(400, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);

export const invalidParameter = (name: string, detail: string): SimApiError =>
  new SimApiError(400, 'InvalidParameter', `The specified parameter "${name}" is not valid: ${detail}`);

export const regionNotFound = (region: string): SimApiError =>
  new SimApiError(404, 'InvalidRegionId.NotFound', `The specified RegionId "${region}" does not exist.`);

export const imageNotFound = (): SimApiError =>
  new SimApiError(404, 'InvalidImageId.NotFound', 'The specified ImageId does not exist.');

export const snapshotNotFound = (): SimApiError =>
  new SimApiError(404, 'InvalidSnapshotId.NotFound', 'The specified SnapshotId does not exist.');
