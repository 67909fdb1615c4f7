// A fault-injecting HTTP proxy in front of an emulator (fauxqs or DynamoDB Local): it forwards every
// request unchanged but for the proxy's own address, which it swaps back for the emulator's in the Host
// header and the body (the SQS SDK sends each call to its QueueUrl's host, so clients use queue URLs
// with the proxy's address, while fauxqs knows each queue by the URL it built itself), except
// the calls a plan picks, which it answers itself with an AWS JSON-protocol error (throttling, service
// fault) without forwarding them, as a throttled AWS endpoint would, or (DynamoDB's batch calls) with a success
// that processed nothing: every key or item handed back as unprocessed, as DynamoDB does when throttled; or drop
// the connection (before forwarding, or after: the call took effect and its answer is lost); or forward only part
// of a batch call (BatchWriteItem, BatchGetItem, SQS's batch calls) and answer the rest as unprocessed or failed.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

/** An error answer, not forwarded. */
export interface ErrorFault {
  status: number;
  /** Error code, e.g. RequestThrottled, ThrottlingException, InternalFailure. */
  code: string;
  /** Answer 200 with the whole batch unprocessed (BatchGetItem's UnprocessedKeys, BatchWriteItem's items). */
  unprocessed?: boolean;
}

/** The connection is reset: before the request reaches the emulator, or after it took effect. */
export interface ResetFault {
  reset: 'before' | 'after';
}

/** How one entry of an SQS batch call fails (SQS answers it in `Failed`). */
export interface EntryFault {
  code: string;
  message: string;
  senderFault: boolean;
}

/**
 * A batch call forwarded in part: `drop(i)` picks the entries (0-based) left out. DynamoDB answers them as
 * UnprocessedItems / UnprocessedKeys; SQS as `Failed` entries (a server-side InternalError, or the EntryFault).
 */
export interface PartialFault {
  drop: (index: number) => boolean | EntryFault;
}

export type Fault = ErrorFault | ResetFault | PartialFault;

export const THROTTLED_SQS: ErrorFault = { status: 400, code: 'RequestThrottled' };
export const THROTTLED_DYNAMODB: ErrorFault = { status: 400, code: 'ProvisionedThroughputExceededException' };
export const SERVICE_FAULT: ErrorFault = { status: 500, code: 'InternalFailure' };
export const UNPROCESSED_DYNAMODB: ErrorFault = { status: 200, code: 'Unprocessed', unprocessed: true };

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
function errorResponse(fault: ErrorFault, operation: string): { headers: Record<string, string>; body: string } {
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
    if (fault) proxy.faults.set(operation, (proxy.faults.get(operation) ?? 0) + 1);
    if (fault && 'status' in fault) {
      incoming.once('end', () => {
        const { headers, body } = fault.unprocessed
          ? unprocessedResponse(operation, Buffer.concat(chunks).toString('utf8'))
          : errorResponse(fault, operation);
        outgoing.writeHead(fault.status, { ...headers, 'content-length': Buffer.byteLength(body) }).end(body);
      });
      return;
    }
    if (fault && 'reset' in fault && fault.reset === 'before') {
      incoming.once('end', () => outgoing.socket?.destroy());
      return;
    }
    incoming.once('end', () => {
      let text = Buffer.concat(chunks).toString('utf8').replaceAll(proxy.endpoint, upstream.origin);
      const partial = fault && 'drop' in fault ? splitBatch(operation, text, fault) : undefined;
      if (partial) text = partial.forwarded;
      const body = Buffer.from(text);
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: upstream.host, 'content-length': String(body.length) },
        },
        (answer) => {
          if (fault && 'reset' in fault) {
            answer.resume();
            answer.once('end', () => outgoing.socket?.destroy());
          } else if (partial) answerPartly(answer, outgoing, partial.complete);
          else {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          }
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

type Json = Record<string, any>;

/** SQS's batch calls: `Entries` in, `Successful` and `Failed` (by entry Id) out. */
const SQS_BATCH_CALLS = new Set([
  'AmazonSQS.SendMessageBatch',
  'AmazonSQS.DeleteMessageBatch',
  'AmazonSQS.ChangeMessageVisibilityBatch',
]);

/**
 * The part of a batch call that is forwarded, and how to complete the emulator's answer with the entries
 * left out. Calls that are not batch calls (or whose entries are all kept) are forwarded whole.
 */
function splitBatch(
  operation: string,
  text: string,
  fault: PartialFault,
): { forwarded: string; complete: (answer: Json) => Json } | undefined {
  const request = JSON.parse(text) as Json;
  const keep = <T>(entries: T[]) => {
    const kept: T[] = [];
    const dropped: Array<{ entry: T; fault: boolean | EntryFault }> = [];
    entries.forEach((entry, i) => {
      const dropIt = fault.drop(i);
      if (dropIt) dropped.push({ entry, fault: dropIt });
      else kept.push(entry);
    });
    return { kept, dropped };
  };
  if (operation === 'DynamoDB_20120810.BatchWriteItem') {
    const [[table, writes]] = Object.entries(request.RequestItems as Record<string, Json[]>);
    const { kept, dropped } = keep(writes);
    if (dropped.length === 0 || kept.length === 0) return undefined;
    return {
      forwarded: JSON.stringify({ ...request, RequestItems: { [table]: kept } }),
      complete: (answer) => ({ ...answer, UnprocessedItems: { [table]: dropped.map((d) => d.entry) } }),
    };
  }
  if (operation === 'DynamoDB_20120810.BatchGetItem') {
    const [[table, read]] = Object.entries(request.RequestItems as Record<string, Json>);
    const { kept, dropped } = keep(read.Keys as Json[]);
    if (dropped.length === 0 || kept.length === 0) return undefined;
    return {
      forwarded: JSON.stringify({ ...request, RequestItems: { [table]: { ...read, Keys: kept } } }),
      complete: (answer) => ({
        ...answer,
        UnprocessedKeys: { [table]: { ...read, Keys: dropped.map((d) => d.entry) } },
      }),
    };
  }
  if (SQS_BATCH_CALLS.has(operation)) {
    const { kept, dropped } = keep(request.Entries as Json[]);
    if (dropped.length === 0 || kept.length === 0) return undefined;
    const failed = dropped.map(({ entry, fault }) => {
      const { code, message, senderFault } =
        typeof fault === 'object' ? fault : { code: 'InternalError', message: 'injected', senderFault: false };
      return { Id: entry.Id, Code: code, Message: message, SenderFault: senderFault };
    });
    return {
      forwarded: JSON.stringify({ ...request, Entries: kept }),
      complete: (answer) => ({ ...answer, Failed: [...(answer.Failed ?? []), ...failed] }),
    };
  }
  return undefined;
}

/** Passes the emulator's answer on, completed with the entries the proxy left out. */
function answerPartly(answer: IncomingMessage, outgoing: ServerResponse, complete: (answer: Json) => Json): void {
  const parts: Buffer[] = [];
  answer.on('data', (part: Buffer) => parts.push(part));
  answer.once('end', () => {
    const status = answer.statusCode ?? 502;
    let body = Buffer.concat(parts).toString('utf8');
    if (status === 200) body = JSON.stringify(complete(JSON.parse(body) as Json));
    const headers = { ...answer.headers };
    delete headers['x-amz-crc32']; // the body changed
    delete headers['transfer-encoding'];
    outgoing.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) }).end(body);
  });
}
