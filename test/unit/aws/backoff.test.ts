// Which whole-call failures are worth retrying (isTransientCallError), and what a producer call does with the
// rest: a bug (TypeError) or missing credentials fails its items at once instead of being retried for the whole
// --retry-for budget as if the network were down.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { isTransientCallError } from '../../../src/aws/backoff.js';
import { dynamoDbClient, resetClients, sqsClient } from '../../../src/aws/clients.js';
import { sendMessages } from '../../../src/aws/sqs.js';
import { ingestPosts } from '../../../src/producer/ingest.js';
import { makePosts } from '../../support/posts.js';

/** An error as the SDK throws it for an HTTP answer: name, status and fault. */
function serviceError(name: string, status: number, fault: 'client' | 'server'): Error {
  return Object.assign(new Error(`${name} from the service`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
  });
}

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:8000`), { code });
}

describe('isTransientCallError', () => {
  it('retries the network: socket codes on the error or on its cause, and the SDK timeout', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])
      assert.equal(isTransientCallError(socketError(code)), true, code);
    assert.equal(isTransientCallError(new Error('fetch failed', { cause: socketError('ECONNRESET') })), true);
    assert.equal(isTransientCallError(new Error('socket hang up', { cause: socketError('ECONNREFUSED') })), true);
    const timeout = Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' });
    assert.equal(isTransientCallError(timeout), true);
  });

  it('retries throttling and service faults', () => {
    assert.equal(isTransientCallError(serviceError('ThrottlingException', 400, 'client')), true);
    assert.equal(isTransientCallError(serviceError('ProvisionedThroughputExceededException', 400, 'client')), true);
    assert.equal(isTransientCallError(serviceError('RequestThrottled', 400, 'client')), true);
    assert.equal(isTransientCallError(serviceError('SomethingNew', 429, 'client')), true);
    assert.equal(isTransientCallError(serviceError('InternalServerError', 500, 'server')), true);
    assert.equal(isTransientCallError(serviceError('ServiceUnavailable', 503, 'server')), true);
    assert.equal(isTransientCallError(Object.assign(new Error('x'), { $retryable: { throttling: true } })), true);
  });

  it('does not retry a bug or missing credentials, though neither has an HTTP status', () => {
    assert.equal(isTransientCallError(new TypeError("Cannot read properties of undefined (reading 'S')")), false);
    const credentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
      tryNextLink: false,
    });
    assert.equal(isTransientCallError(credentials), false);
    assert.equal(isTransientCallError(new Error('plain error')), false);
    assert.equal(isTransientCallError(new Error('wrapped', { cause: new TypeError('inner bug') })), false);
    assert.equal(isTransientCallError(undefined), false);
  });

  it('does not retry a call rejected for its content or its target', () => {
    assert.equal(isTransientCallError(serviceError('ValidationException', 400, 'client')), false);
    assert.equal(isTransientCallError(serviceError('ResourceNotFoundException', 400, 'client')), false);
    assert.equal(isTransientCallError(serviceError('AccessDeniedException', 403, 'client')), false);
    assert.equal(isTransientCallError(serviceError('QueueDoesNotExist', 400, 'client')), false);
  });
});

/**
 * Records the commands that reach the client (the `initialize` step, before the SDK's own retries), running
 * `before` on each first. A command seen a fourth time throws a plainly permanent error, so code that wrongly
 * retries the first failure ends quickly and the record shows it, instead of retrying for the whole budget.
 */
function recordCalls(client: DynamoDBClient | SQSClient, before = () => {}): string[] {
  const commands: string[] = [];
  (client as SQSClient).middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      commands.push(command);
      if (commands.filter((c) => c === command).length > 3) throw serviceError('AccessDeniedException', 403, 'client');
      before();
      return next(args);
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  return commands;
}

describe('a producer call that fails for a reason retrying cannot fix gives up at once', () => {
  const saved = { ...process.env };
  afterEach(() => {
    resetClients();
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('ingestPosts: a TypeError in BatchWriteItem fails the posts after one call, with the error', async () => {
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9', // nothing leaves the machine whatever happens
    });
    const calls = recordCalls(dynamoDbClient(), () => {
      throw new TypeError("Cannot read properties of undefined (reading 'S')");
    });
    const posts = makePosts(3, { prefix: 'typeerror', seed: 1 });
    const summary = await ingestPosts(posts, {
      postsTable: 'posts',
      queueUrl: 'http://127.0.0.1:9/000000000000/classify',
      maxRetryMs: 60_000,
    });
    // One BatchWriteItem, then (a call rejected as a whole) one PutItem per post so only a bad item would fail.
    assert.deepEqual(calls, ['BatchWriteItemCommand', ...posts.map(() => 'PutItemCommand')]);
    assert.equal(summary.stored, 0);
    assert.equal(summary.failed.length, 3);
    for (const { reason } of summary.failed) assert.match(reason, /^not stored: TypeError: Cannot read properties/);
  });

  it('sendMessages: missing credentials fail the messages after one call, with the SDK error', async () => {
    for (const name of Object.keys(process.env)) if (/^AWS_/.test(name)) delete process.env[name];
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    const calls = recordCalls(sqsClient());
    const failures = await sendMessages('http://127.0.0.1:9/000000000000/classify', [{ body: 'a' }, { body: 'b' }], {
      attempts: 8,
      baseMs: 10,
      maxMs: 100,
      retryForMs: 60_000,
    });
    assert.deepEqual(calls, ['SendMessageBatchCommand']);
    assert.deepEqual(
      failures.map((f) => f.index),
      [0, 1],
    );
    for (const { error } of failures) assert.match(error, /^CredentialsProviderError: /);
  });
});
