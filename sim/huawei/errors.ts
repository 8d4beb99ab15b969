/**
 * An error the simulated service answers with. IMS itself answers `{"error":{"code","message"}}`;
 * the API gateway in front of it (signature, routing, throttling) answers
 * `{"error_code","error_msg","request_id"}`.
 */
export class ImsSimError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly shape: 'ims' | 'gateway' = 'ims',
  ) {
    super(message);
    this.name = 'ImsSimError';
  }

  body(requestId: string): Record<string, unknown> {
    return this.shape === 'gateway'
      ? { error_code: this.code, error_msg: this.message, request_id: requestId }
      : { error: { code: this.code, message: this.message } };
  }
}

export const imsError = (status: number, code: string, message: string): ImsSimError => new ImsSimError(status, code, message);

export const badRequest = (message = 'The request message format is invalid.'): ImsSimError => imsError(400, 'IMG.0001', message);

export const imageNotFound = (status = 400): ImsSimError => imsError(status, 'IMG.0027', 'The image ID in the request does not exist.');

export const apiNotFound = (): ImsSimError =>
  new ImsSimError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment.', 'gateway');
