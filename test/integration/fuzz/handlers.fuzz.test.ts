// Fuzz: random bad events thrown at both handlers on the real emulators. Whatever arrives, the handler
// answers (never throws), and every record ends up accounted for: scored, dead-lettered with a reason,
// or reported as a batch item failure. Valid records mixed in are still processed exactly once.
// Seeds are fixed so a failure reproduces; FUZZ_SEED=<n> runs another one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import type { TestStack } from '../../support/stack.js';
import { lambdaContext } from '../../../src/event-sources/lambda-context.js';
import type { PipelineHandlers } from '../../../src/local/event-sources.js';
import { encodePostMessage } from '../../../src/domain/messages.js';
import { recount } from '../../../src/domain/aggregation.js';
import { assertCountersEqual, readAggregates } from '../../support/aggregates.js';
import type { CountedResult } from '../../../src/domain/results.js';
import { seededRandom } from '../../../src/local/seeded-random.js';
import { startPipelineTest, type PipelineTest } from '../../support/pipeline.js';
import { makePosts } from '../../support/posts.js';
import { attribute, drainQueue } from '../../support/queues.js';
import { readResults } from '../../support/tables.js';
import {
  sqsRecord as syntheticSqsRecord,
  streamRecord as syntheticStreamRecord,
  type StreamImage,
} from '../../support/events.js';

process.env.MODEL_ID = 'no-such-model-lexicon-fallback';
process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const SEEDS = process.env.FUZZ_SEED ? [Number(process.env.FUZZ_SEED)] : [11, 23, 47];

let stack: TestStack;
let handlers: PipelineHandlers;
let ingestPosts: PipelineTest['ingestPosts'];

before(async () => {
  ({ stack, handlers, ingestPosts } = await startPipelineTest());
});

after(async () => {
  await stack?.teardown();
});

type Random = () => number;
const int = (random: Random, n: number) => Math.floor(random() * n);
const pick = <T>(random: Random, xs: readonly T[]): T => xs[int(random, xs.length)];

function randomString(random: Random, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const r = random();
    // Mostly printable ASCII, some control characters, multi-byte characters and lone surrogates.
    s +=
      r < 0.8
        ? String.fromCharCode(32 + int(random, 95))
        : r < 0.85
          ? String.fromCharCode(int(random, 32))
          : r < 0.95
            ? String.fromCodePoint(0x80 + int(random, 0x2ff80))
            : String.fromCharCode(0xd800 + int(random, 0x800));
  }
  return s;
}

function randomJson(random: Random, depth = 0): unknown {
  const kinds = depth > 2 ? 5 : 7;
  switch (int(random, kinds)) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return random() < 0.5 ? int(random, 1e6) - 5e5 : random() * 1e300;
    case 3:
      return randomString(random, int(random, 30));
    case 4:
      return '';
    case 5:
      return Array.from({ length: int(random, 4) }, () => randomJson(random, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: int(random, 4) }, () => [randomString(random, 5), randomJson(random, depth + 1)]),
      );
  }
}

/** A message body that must never be scored. `undefined` stands for a record with no body at all. */
function badBody(random: Random): unknown {
  const wrong = () =>
    pick(random, [null, 1, true, [], {}, 'x'.repeat(600), ' padded ', '', 'a\u0000b', { postId: 'x' }]);
  switch (int(random, 12)) {
    case 0:
      return randomString(random, int(random, 200));
    case 1:
      return JSON.stringify(randomJson(random));
    case 2:
      return JSON.stringify({ postId: randomString(random, 10) }); // missing v
    case 3:
      return JSON.stringify({ v: 1 }); // missing postId
    case 4:
      return JSON.stringify({ v: pick(random, [0, 2, '1', null, 1.5]), postId: 'p' });
    case 5:
      return JSON.stringify({ v: 1, postId: wrong() });
    case 6:
      return JSON.stringify({ v: 1, postId: 'p', source: wrong(), enqueuedAt: 'not-a-date' });
    case 7:
      return '{"v":1,"postId":"' + 'x'.repeat(int(random, 300_000)); // truncated (and maybe huge)
    case 8:
      return JSON.stringify({ v: 1, postId: 'y'.repeat(100_000 + int(random, 150_000)) }); // huge
    case 9:
      return undefined;
    case 10:
      return pick(random, [42, null, { v: 1, postId: 'object-body' }, ['a']]);
    default:
      return '';
  }
}

const sqsRecord = (body: unknown) =>
  syntheticSqsRecord(body, { queueArn: stack.stage.queues.classify.arn, senderId: 'fuzz' });

const context = (name: string) => lambdaContext({ name, region: 'us-east-1', timeoutSeconds: 60, memorySizeMb: 1769 });

describe('fuzz', () => {
  for (const seed of SEEDS) {
    it(`classify, seed ${seed}: bad records DLQed with a reason or reported failed; valid ones scored`, async () => {
      const random = seededRandom(seed);
      const stage = await stack.freshStage();
      const posts = makePosts(40, { prefix: `fz${seed}`, seed });
      await ingestPosts(posts, { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url });
      await drainQueue(stack.clients.sqs, stage.queues.classify.url); // the fuzz builds its own events

      const expectScored = new Set<string>();
      const expectFailed = new Set<string>(); // valid messages for posts that do not exist
      const bad = new Set<string>();
      const remaining = posts.map((p) => p.postId);
      for (let batch = 0; batch < 6; batch++) {
        const records: SQSRecord[] = [];
        const size = 1 + int(random, 25);
        for (let i = 0; i < size; i++) {
          const r = random();
          if (r < 0.35 && remaining.length > 0) {
            const postId = remaining.pop()!;
            records.push(sqsRecord(encodePostMessage(postId)));
            expectScored.add(postId);
          } else if (r < 0.45) {
            const record = sqsRecord(encodePostMessage(`missing-${randomUUID()}`));
            records.push(record);
            expectFailed.add(record.messageId);
          } else {
            const record = sqsRecord(badBody(random));
            records.push(record);
            bad.add(record.messageId);
          }
        }
        const response = await handlers.classify({ Records: records } as SQSEvent, context('classify'));
        assert.ok(
          response && Array.isArray(response.batchItemFailures),
          'the handler answers a partial batch response',
        );
        const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        const ids = new Set(records.map((r) => r.messageId));
        for (const id of failed) assert.ok(ids.has(id), `unknown itemIdentifier ${id}`);
        for (const record of records) {
          if (expectFailed.has(record.messageId))
            assert.ok(failed.has(record.messageId), 'a missing post is a retryable failure');
          if (!bad.has(record.messageId) && !expectFailed.has(record.messageId))
            assert.ok(!failed.has(record.messageId), `valid record failed: ${record.body}`);
        }
        // Reported as failed: accounted for (SQS will redrive it).
        for (const id of failed) if (bad.has(id)) bad.delete(id);
      }

      const dead = await drainQueue(stack.clients.sqs, stage.queues.classifyDlq.url);
      const deadById = new Map(dead.map((m) => [attribute(m, 'originalMessageId'), m]));
      for (const id of bad) {
        const message = deadById.get(id);
        assert.ok(message, `bad record ${id} was acknowledged without reaching the DLQ`);
        assert.match(attribute(message, 'failureReason') ?? '', /^(not-json|schema-invalid)$/);
        assert.ok(attribute(message, 'failureDetail'));
      }
      assert.equal(dead.length, bad.size, 'nothing else reached the DLQ');
      const results = await readResults(stage.tables.results);
      assert.deepEqual([...results.keys()].sort(), [...expectScored].sort());

      // Events that are not SQS batches, or hold things that are not records: answered, not thrown;
      // a record that cannot be named fails the whole batch rather than being acknowledged.
      for (const event of [{}, { Records: 'nope' }, null]) {
        assert.deepEqual(await handlers.classify(event as unknown as SQSEvent, context('classify')), {
          batchItemFailures: [],
        });
      }
      const unnamed = await handlers.classify(
        { Records: [null, 5, sqsRecord('{')] } as unknown as SQSEvent,
        context('classify'),
      );
      assert.deepEqual(unnamed?.batchItemFailures, [{ itemIdentifier: '' }]);
    });

    it(`aggregate, seed ${seed}: bad records reported failed, valid ones counted once, either fence`, async () => {
      // Plain events (the markers fence) and events that name their shard, as the tumbling-window mapping sends them.
      for (const windowed of [false, true]) {
        const random = seededRandom(seed * 7);
        const stage = await stack.freshStage();
        const window = windowed
          ? { shardId: `shardId-fuzz-${seed}`, eventSourceARN: stack.stage.resultsStreamArn, state: {} }
          : {};
        let sequence = 1000;
        const valid: CountedResult[] = [];
        const events: DynamoDBStreamEvent[] = [];
        const expectedFailures: Array<Set<string>> = [];
        const wholeBatchFails: boolean[] = [];
        for (let batch = 0; batch < 6; batch++) {
          const records: DynamoDBRecord[] = [];
          const failing = new Set<string>();
          let noSequence = false;
          for (let i = 1 + int(random, 20); i > 0; i--) {
            const seq = String(sequence++).padStart(21, '0');
            if (random() < 0.4) {
              const result: CountedResult = {
                postId: `fz-${seq}`,
                label: pick(random, ['negative', 'neutral', 'positive'] as const),
                score: Math.round((random() * 2 - 1) * 1000) / 1000,
                source: pick(random, ['a', 'b']),
                day: pick(random, ['2024-01-01', '2024-01-02']),
              };
              valid.push(result);
              records.push(streamRecord(seq, 'INSERT', undefined, marshall(result) as Record<string, AttributeValue>));
            } else {
              const record = badStreamRecord(random, seq);
              if (!record.dynamodb?.SequenceNumber) noSequence = true;
              else failing.add(record.dynamodb.SequenceNumber);
              records.push(record);
            }
          }
          events.push({ ...window, Records: records });
          expectedFailures.push(failing);
          wholeBatchFails.push(noSequence);
        }
        for (const [round, label] of [
          [0, 'first delivery'],
          [1, 'replay'],
        ] as const) {
          for (const [i, event] of events.entries()) {
            const response = await handlers.aggregate(structuredClone(event), context('aggregate'));
            assert.ok(response && Array.isArray(response.batchItemFailures), `${label}: a partial batch response`);
            const reported = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
            for (const seq of expectedFailures[i])
              assert.ok(reported.has(seq), `${label}: bad record ${seq} not reported`);
            if (wholeBatchFails[i])
              assert.ok(reported.has(''), `${label}: a bad record without a sequence number fails the whole batch`);
            for (const id of reported)
              assert.ok(id === '' || expectedFailures[i].has(id), `${label}: valid record ${id} reported failed`);
            assert.equal('state' in response, windowed, `${label}: a state back exactly when the event is windowed`);
          }
          const expected = recount(valid);
          const actual = await readAggregates(stage.tables.aggregates);
          assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), `${label}: aggregate keys`);
          for (const [id, { counters }] of expected) {
            assertCountersEqual(actual.get(id)!, counters, `${label} ${round} windowed=${windowed}: ${id}`);
          }
        }
      }
      // Whole events that are not stream batches at all: answered, not thrown.
      for (const event of [{}, { Records: 'nope' }, null]) {
        assert.deepEqual(await handlers.aggregate(event as unknown as DynamoDBStreamEvent, context('aggregate')), {
          batchItemFailures: [],
        });
      }
      const unnamed = await handlers.aggregate(
        { Records: [null, 5, 'x'] } as unknown as DynamoDBStreamEvent,
        context('aggregate'),
      );
      assert.deepEqual(unnamed?.batchItemFailures, [{ itemIdentifier: '' }]);
      // A tumbling window's final invocation may carry no records: it still needs a state back.
      const final = { shardId: 'shardId-final', state: {}, isFinalInvokeForWindow: true, Records: [] };
      assert.deepEqual(await handlers.aggregate(final as unknown as DynamoDBStreamEvent, context('aggregate')), {
        batchItemFailures: [],
        state: {},
      });
    });
  }
});

function streamRecord(
  seq: string,
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  oldImage?: StreamImage,
  newImage?: StreamImage,
): DynamoDBRecord {
  return syntheticStreamRecord(seq, eventName, { old: oldImage, new: newImage }, stack.stage.resultsStreamArn);
}

function badStreamRecord(random: Random, seq: string): DynamoDBRecord {
  const good = marshall({ postId: `bad-${seq}`, label: 'neutral', score: 0, source: 's', day: '2024-01-01' }) as Record<
    string,
    AttributeValue
  >;
  // For each counted field, values that can never be counted (wrong type, out of range, absent, not an AttributeValue).
  const invalid: Record<string, unknown[]> = {
    label: [{ S: 'ecstatic' }, { N: '1' }, { NULL: true }, undefined, { S: 5 }, { Q: 'x' }],
    score: [{ N: '7' }, { S: '0.5' }, { NULL: true }, undefined, { BOOL: true }],
    source: [{ S: '' }, { N: '1' }, { NULL: true }, undefined],
    day: [{ S: '2024-1-1' }, { S: '' }, { N: '20240101' }, undefined],
    postId: [{ S: '' }, { N: '5' }, { BOOL: true }, undefined],
  };
  const broken = (image: Record<string, AttributeValue>) => {
    const copy = structuredClone(image) as Record<string, unknown>;
    const field = pick(random, Object.keys(invalid));
    const value = pick(random, invalid[field]);
    if (value === undefined) delete copy[field];
    else copy[field] = value;
    return copy as Record<string, AttributeValue>;
  };
  switch (int(random, 10)) {
    case 9:
      return { eventID: randomUUID(), eventName: 'INSERT' }; // no dynamodb part: no sequence number to report
    case 0:
      return streamRecord(seq, 'INSERT', undefined, broken(good));
    case 1:
      return streamRecord(seq, 'MODIFY', good, broken(good));
    case 2:
      return streamRecord(seq, 'MODIFY', broken(good), good);
    case 3:
      return streamRecord(seq, 'REMOVE'); // no OldImage
    case 4:
      return streamRecord(seq, 'INSERT'); // no NewImage
    case 5:
      return {
        ...streamRecord(seq, 'INSERT', undefined, good),
        eventName: pick(random, ['UPSERT', '', undefined]) as 'INSERT',
      };
    case 6:
      return { ...streamRecord(seq, 'INSERT', undefined, good), eventID: pick(random, ['', undefined]) as string };
    case 7:
      return streamRecord(seq, 'INSERT', undefined, {
        ...good,
        text: { S: randomString(random, 50_000) },
        label: { S: 'LOUD' },
      });
    default:
      return {
        ...streamRecord(seq, 'INSERT', undefined, good),
        dynamodb: { SequenceNumber: seq, NewImage: randomJson(random) as Record<string, AttributeValue> },
      };
  }
}
