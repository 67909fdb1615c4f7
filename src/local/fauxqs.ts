// fauxqs, in process, with queue URLs a client can actually reach.
//
// Why not plain startFauxqs(): its queue URLs look like http://sqs.<region>.localhost:<port>/...,
// and SDK v3's SQS client sends each request to the QueueUrl's host whenever the client has no
// explicit `endpoint` (it does so when the endpoint comes from AWS_ENDPOINT_URL_SQS).
// `sqs.<region>.localhost` does not resolve here (getaddrinfo ENOTFOUND), so every handler would
// need special client settings. With the store's URL host left empty, fauxqs builds queue URLs
// from the request's Host header instead: http://127.0.0.1:<port>/000000000000/<name>, which is the
// endpoint itself, and every unmodified SQSClient works. The store classes are not exported by
// fauxqs, so they are loaded from beside its entry point (fauxqs is pinned to 1.9.x).
import { buildApp } from 'fauxqs';

export interface SqsEmulator {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** An SQS call in the query protocol (form-encoded `Action=...`), which fauxqs does not serve. */
export interface QueryProtocolCall {
  action: string;
  userAgent: string;
}

export interface SqsEmulatorOptions {
  /**
   * Called for each SQS call that arrives in the query protocol; it is answered with an error saying what to
   * upgrade.
   */
  onQueryProtocolCall?: (call: QueryProtocolCall) => void;
}

/** SQS's API actions: a form-encoded request naming one is an SQS call in the query protocol (SNS shares none). */
const SQS_ACTIONS = new Set([
  'AddPermission',
  'CancelMessageMoveTask',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'CreateQueue',
  'DeleteMessage',
  'DeleteMessageBatch',
  'DeleteQueue',
  'GetQueueAttributes',
  'GetQueueUrl',
  'ListDeadLetterSourceQueues',
  'ListMessageMoveTasks',
  'ListQueueTags',
  'ListQueues',
  'PurgeQueue',
  'ReceiveMessage',
  'RemovePermission',
  'SendMessage',
  'SendMessageBatch',
  'SetQueueAttributes',
  'StartMessageMoveTask',
  'TagQueue',
  'UntagQueue',
]);

/** botocore's first release that speaks SQS's JSON protocol for good (boto3 of the same number). */
export const FIRST_JSON_BOTOCORE = '1.34.90';

export const QUERY_PROTOCOL_HINT =
  `this local SQS (fauxqs) speaks only SQS's JSON protocol, and this client sent the older query protocol. ` +
  `Upgrade the SDK: boto3/botocore >= ${FIRST_JSON_BOTOCORE} ` +
  "(pip install -U boto3; Debian 12's python3-boto3 is 1.26), " +
  `and the AWS CLI v1 to >= 1.32.90, which bundles that botocore`;

function queryProtocolError(action: string): string {
  const escaped = `${action}: ${QUERY_PROTOCOL_HINT}`
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
  return (
    '<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>' +
    `<Message>${escaped}</Message></Error>` +
    '<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>'
  );
}

interface StoreModules {
  SqsStore: new () => { host: string };
  SnsStore: new () => object;
  S3Store: new () => object;
}

async function loadStores(): Promise<StoreModules> {
  const entry = import.meta.resolve('fauxqs');
  try {
    const [sqs, sns, s3] = await Promise.all([
      import(new URL('./sqs/sqsStore.js', entry).href),
      import(new URL('./sns/snsStore.js', entry).href),
      import(new URL('./s3/s3Store.js', entry).href),
    ]);
    return { SqsStore: sqs.SqsStore, SnsStore: sns.SnsStore, S3Store: s3.S3Store };
  } catch (error) {
    throw new Error(
      `fauxqs internals not where 1.9.x keeps them (${entry}); is fauxqs still pinned to 1.9? ${String(error)}`,
    );
  }
}

export async function startFauxqsWithPlainQueueUrls(port = 0, options: SqsEmulatorOptions = {}): Promise<SqsEmulator> {
  const { SqsStore, SnsStore, S3Store } = await loadStores();
  const sqsStore = new SqsStore();
  sqsStore.host = ''; // empty: queue URLs use the request's Host header (see above)
  const app = buildApp({
    logger: false,
    stores: { sqsStore, snsStore: new SnsStore(), s3Store: new S3Store() } as never,
  });
  // fauxqs would hand a form-encoded SQS call to its SNS router, which answers a bare InvalidAction.
  app.addHook('preHandler', async (request, reply) => {
    if (!String(request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) return;
    const action = String((request.body as { Action?: unknown } | undefined)?.Action ?? '');
    if (!SQS_ACTIONS.has(action)) return;
    options.onQueryProtocolCall?.({ action, userAgent: String(request.headers['user-agent'] ?? 'unknown client') });
    return reply.code(400).header('content-type', 'text/xml').send(queryProtocolError(action));
  });
  await app.listen({ port, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('fauxqs is not listening on a TCP port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    stop: async () => {
      await app.close();
    },
  };
}
