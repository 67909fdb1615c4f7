// A fault-injecting HTTP proxy in front of an emulator (fauxqs or DynamoDB Local): it forwards every
// request unchanged but for the proxy's own address, which it swaps back for the emulator's in the Host
// header and the body (the SQS SDK sends each call to its QueueUrl's host, so clients use queue URLs
// with the proxy's address, while fauxqs knows each queue by the URL it built itself), except
// the calls a plan picks, which it answers itself with an AWS JSON-protocol error (throttling, service
// fault) without forwarding them, as a throttled AWS endpoint would, or (DynamoDB's batch calls) with a success
// that processed nothing: every key or item handed back as unprocessed, as DynamoDB does when throttled.
import { createServer, request, type IncomingMessage } from 'node:http';

export interface Fault {
  status: number;
  /** Error code, e.g. RequestThrottled, ThrottlingException, InternalFailure. */
  code: string;
  /** Answer 200 with the whole batch unprocessed (BatchGetItem's UnprocessedKeys, BatchWriteItem's items). */
  unprocessed?: boolean;
}

export const THROTTLED_SQS: Fault = { status: 400, code: 'RequestThrottled' };
export const THROTTLED_DYNAMODB: Fault = { status: 400, code: 'ProvisionedThroughputExceededException' };
export const SERVICE_FAULT: Fault = { status: 500, code: 'InternalFailure' };
export const UNPROCESSED_DYNAMODB: Fault = { status: 200, code: 'Unprocessed', unprocessed: true };

/** Picks the calls to fail: `operation` is the JSON protocol's X-Amz-Target operation, `n` its 1-based count. */
export type FaultPlan = (operation: string, n: number) => Fault | undefined;

export interface FaultProxy {
  endpoint: string;
  /** Calls seen per operation (failed or forwarded). */
  calls: Map<string, number>;
  /** Calls answered with a fault, per operation. */
  faults: Map<string, number>;
  plan: FaultPlan;
  stop(): Promise<void>;
}

/** The error body of the AWS JSON protocols (SQS adds its query-compatible error header). */
function errorResponse(fault: Fault, operation: string): { headers: Record<string, string>; body: string } {
  const service = operation.startsWith('AmazonSQS.') ? 'com.amazonaws.sqs' : 'com.amazonaws.dynamodb.v20120810';
  return {
    headers: {
      'content-type': 'application/x-amz-json-1.0', // both SQS and DynamoDB speak JSON 1.0
      'x-amzn-requestid': `fault-${Date.now()}`,
      ...(service === 'com.amazonaws.sqs'
        ? { 'x-amzn-query-error': `${fault.code};${fault.status >= 500 ? 'Receiver' : 'Sender'}` }
        : {}),
    },
    body: JSON.stringify({
      __type: `${service}#${fault.code}`,
      message: `injected by the test's fault proxy (${operation})`,
    }),
  };
}

/** A DynamoDB batch call's success that processed nothing: every requested key or item comes back unprocessed. */
function unprocessedResponse(operation: string, request: string): { headers: Record<string, string>; body: string } {
  const { RequestItems } = JSON.parse(request) as { RequestItems: Record<string, unknown> };
  const answer = operation.endsWith('.BatchGetItem')
    ? {
        Responses: Object.fromEntries(Object.keys(RequestItems).map((table) => [table, []])),
        UnprocessedKeys: RequestItems,
      }
    : { UnprocessedItems: RequestItems };
  return {
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `fault-${Date.now()}` },
    body: JSON.stringify(answer),
  };
}

export async function startFaultProxy(target: string, plan: FaultPlan = () => undefined): Promise<FaultProxy> {
  const upstream = new URL(target);
  const proxy: FaultProxy = { endpoint: '', calls: new Map(), faults: new Map(), plan, stop: async () => undefined };
  const server = createServer((incoming: IncomingMessage, outgoing) => {
    const target = String(incoming.headers['x-amz-target'] ?? '');
    const operation = target || `${incoming.method} ${incoming.url}`;
    const n = (proxy.calls.get(operation) ?? 0) + 1;
    proxy.calls.set(operation, n);
    const fault = proxy.plan(operation, n);
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    if (fault) {
      proxy.faults.set(operation, (proxy.faults.get(operation) ?? 0) + 1);
      incoming.once('end', () => {
        const { headers, body } = fault.unprocessed
          ? unprocessedResponse(operation, Buffer.concat(chunks).toString('utf8'))
          : errorResponse(fault, operation);
        outgoing.writeHead(fault.status, { ...headers, 'content-length': Buffer.byteLength(body) }).end(body);
      });
      return;
    }
    incoming.once('end', () => {
      const body = Buffer.from(Buffer.concat(chunks).toString('utf8').replaceAll(proxy.endpoint, upstream.origin));
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: upstream.host, 'content-length': String(body.length) },
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.once('error', (error) => outgoing.destroy(error));
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  proxy.endpoint = `http://127.0.0.1:${port}`;
  proxy.stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
