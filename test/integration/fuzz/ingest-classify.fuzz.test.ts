// Fuzz: the two boundaries agree. Random rows (createdAt at the edges of the four-digit years and of
// the offsets, texts of invisible characters, odd sources and extra fields) go through the producer;
// every row it accepts must then be scored by the classify handler on the real emulators, never
// dead-lettered as invalid-post, and every invisible text must come out flagged `empty`.
// Seeds are fixed so a failure reproduces; FUZZ_SEED=<n> runs another one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type TestStack } from '../../support/stack.js';
import { pipelineEventSources, runUntilIdle } from '../../../src/local/event-sources.js';
import { validatePostInput } from '../../../src/domain/posts.js';
import { seededRandom } from '../../../src/local/seeded-random.js';
import { importHandlers } from '../../support/pipeline.js';
import { attribute, drainQueue } from '../../support/queues.js';
import { readResults } from '../../support/tables.js';

process.env.MODEL_ID = 'no-such-model-lexicon-fallback';
process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const SEEDS = process.env.FUZZ_SEED ? [Number(process.env.FUZZ_SEED)] : [5, 17];
const ROWS = 120;

type Random = () => number;
const int = (random: Random, n: number) => Math.floor(random() * n);
const pick = <T>(random: Random, xs: readonly T[]): T => xs[int(random, xs.length)];

/** Characters with nothing to see: whitespace, zero-width and format characters, selectors, lone marks. */
const INVISIBLE = [
  ' ',
  '\t',
  '\n',
  '\u00a0',
  '\u2003',
  '\u3000',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u00ad',
  '\u200e',
  '\u202e',
  '\u2066',
  '\ufe0f',
  '\ufe0e',
  '\u{e0100}',
  '\u{e0061}',
  '\u0301',
  '\u0308',
  '\u20dd',
  '\u3164',
  '\u115f',
  '\u2800',
  '\u180e',
];
const VISIBLE = [
  'good',
  'awful',
  'ok',
  'e\u0301',
  '👍\ufe0f',
  '🏳️‍🌈',
  '\u0928\u092e\u0938\u094d\u0924\u0947',
  'x',
  '\ufffd',
  '.',
];

function text(random: Random): { text: string; invisible: boolean } {
  const length = 1 + int(random, 6);
  const invisible = random() < 0.4;
  const parts = Array.from({ length }, () => pick(random, INVISIBLE));
  if (!invisible) parts.splice(int(random, length + 1), 0, pick(random, VISIBLE));
  return { text: parts.join(''), invisible };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** createdAt values around the edges: years 0000/0001/9999, offsets that cross the year, leap days, fractions. */
function createdAt(random: Random): string {
  const year = pick(random, [0, 1, 1, 2, 1969, 1970, 2024, 2024, 2024, 9998, 9999, 9999]);
  const [month, day] = pick(random, [
    [1, 1],
    [12, 31],
    [2, 29],
    [6, 15],
    [2, 28],
  ]);
  const time =
    `${pad(int(random, 24), 2)}:${pad(int(random, 60), 2)}:${pad(int(random, 60), 2)}` +
    `${random() < 0.3 ? '.123' : ''}`;
  const offset =
    random() < 0.3 ? 'Z' : `${pick(random, ['+', '-'])}${pad(int(random, 24), 2)}:${pick(random, ['00', '30', '59'])}`;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time}${offset}`;
}

/** Post IDs whose text was generated with no visible character. */
const invisibleTexts = new Set<string>();

function row(random: Random, i: number, prefix: string): Record<string, unknown> {
  const { text: body, invisible } = text(random);
  if (invisible) invisibleTexts.add(`${prefix}-${i}`);
  return {
    postId: `${prefix}-${i}`,
    text: body,
    createdAt: createdAt(random),
    source: pick(random, [undefined, null, 'twitter', 'a#b', 'ünï', ' spaced ', 'x'.repeat(256)]),
    ...(random() < 0.3 ? { lang: pick(random, ['en', null, 3]), nested: { deep: [1, 'two'] } } : {}),
  };
}

let stack: TestStack;
let ingestPosts: typeof import('../../../src/producer/ingest.js').ingestPosts;

before(async () => {
  stack = await startStack();
  ({ ingestPosts } = await import('../../../src/producer/ingest.js'));
});

after(async () => {
  await stack?.teardown();
});

describe('fuzz: ingest and classify agree', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: rows ingest accepts are scored (never invalid-post); invisible texts flagged empty`, async () => {
      const random = seededRandom(seed);
      const stage = await stack.freshStage();
      const rows = Array.from({ length: ROWS }, (_, i) => row(random, i, `ic${seed}`));
      const summary = await ingestPosts(rows, { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url });
      assert.deepEqual(summary.failed, []);
      assert.ok(
        rows.some((r) => invisibleTexts.has(String(r.postId)) && validatePostInput(r).ok),
        'some accepted texts are invisible',
      );
      // The fuzz must exercise both sides: some rows rejected for their UTC year, many accepted.
      const yearRejects = summary.rejected.filter((r) => /UTC year/.test(r.reason));
      assert.ok(yearRejects.length > 0, 'some createdAt fell outside 0001..9999 in UTC');
      assert.ok(summary.enqueued > ROWS / 3, `enqueued ${summary.enqueued}`);
      for (const rejection of summary.rejected) assert.match(rejection.reason, /createdAt/, JSON.stringify(rejection));

      const handlers = await importHandlers();
      const sources = pipelineEventSources(stack.clients, stage, handlers, {
        classify: { maximumBatchingWindowSeconds: 0.2 },
      });
      await runUntilIdle([sources.classify], { timeoutMs: 300_000 });

      const dead = await drainQueue(stack.clients.sqs, stage.queues.classifyDlq.url);
      assert.deepEqual(
        dead.map((m) => `${attribute(m, 'failureReason')}: ${attribute(m, 'failureDetail')}`),
        [],
        'nothing accepted is dead-lettered',
      );
      const results = await readResults(stage.tables.results);
      const accepted = rows.filter((r) => validatePostInput(r).ok);
      assert.equal(results.size, summary.enqueued);
      assert.equal(accepted.length, summary.enqueued);
      for (const input of accepted) {
        const result = results.get(String(input.postId));
        assert.ok(result, `accepted post ${String(input.postId)} was not scored`);
        assert.match(result.day, /^\d{4}-\d{2}-\d{2}$/);
        const invisible = invisibleTexts.has(String(input.postId));
        assert.equal(result.flags.empty === true, invisible, `${JSON.stringify(input.text)}: empty flag`);
        if (invisible) assert.equal(result.label, 'neutral');
      }
    });
  }
});
