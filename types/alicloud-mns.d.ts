// @alicloud/mns 1.2.0 ships no types. Only the calls the MNS adapter makes are declared, and every
// response body is `unknown`: the SDK turns XML into loose objects (all values strings, a batch of
// one may come back as an object or an array), so the adapter parses them with zod.
declare module '@alicloud/mns' {
  interface MnsClientOptions {
    region?: string;
    endpoint?: string;
    accessKeyId: string;
    accessKeySecret: string;
    securityToken?: string;
    secure?: boolean;
    internal?: boolean;
    vpc?: boolean;
    readTimeout?: number;
    connectTimeout?: number;
  }

  /** What every call answers. `body` is undefined when the answer had no XML body (2xx or not). */
  interface MnsResponse {
    code: number;
    headers: Record<string, string | undefined>;
    body: unknown;
  }

  /** Serialised by the SDK into flat XML elements, without escaping. */
  type MnsXmlParams = Record<string, string | number | boolean>;

  class MNSClient {
    constructor(accountId: string, options: MnsClientOptions);
    createQueue(name: string, params?: MnsXmlParams): Promise<MnsResponse>;
    getQueueAttributes(name: string): Promise<MnsResponse>;
    setQueueAttributes(name: string, params?: MnsXmlParams): Promise<MnsResponse>;
    sendMessage(queueName: string, params: { MessageBody: string; DelaySeconds?: number; Priority?: number }): Promise<MnsResponse>;
    receiveMessage(queueName: string, waitSeconds?: number): Promise<MnsResponse>;
    batchReceiveMessage(queueName: string, numOfMessages: number, waitSeconds?: number): Promise<MnsResponse>;
    /** The handle goes into the query string as given: the caller must URL-encode it. */
    deleteMessage(queueName: string, receiptHandle: string): Promise<MnsResponse>;
    /** The handle goes into the query string as given: the caller must URL-encode it. */
    changeMessageVisibility(queueName: string, receiptHandle: string, visibilityTimeout: number): Promise<MnsResponse>;
  }

  export = MNSClient;
}
