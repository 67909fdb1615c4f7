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
    throw new Error(`fauxqs internals not where 1.9.x keeps them (${entry}); is fauxqs still pinned to 1.9? ${String(error)}`);
  }
}

export async function startFauxqsWithPlainQueueUrls(port = 0): Promise<SqsEmulator> {
  const { SqsStore, SnsStore, S3Store } = await loadStores();
  const sqsStore = new SqsStore();
  sqsStore.host = ''; // empty: queue URLs use the request's Host header (see above)
  const app = buildApp({
    logger: false,
    stores: { sqsStore, snsStore: new SnsStore(), s3Store: new S3Store() } as never,
  });
  await app.listen({ port, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('fauxqs is not listening on a TCP port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    stop: async () => { await app.close(); },
  };
}
