import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dayOf,
  validatePostInput,
  UNKNOWN_SOURCE,
  MAX_TEXT_LENGTH,
  StoredPostSchema,
  fromPostgresTimestamp,
} from '../../../src/domain/posts.js';

const valid = {
  postId: 'p1',
  text: 'great day',
  createdAt: '2024-05-01T23:30:00-02:00',
  source: 'twitter',
  author: 'ann',
  url: 'https://x/p1',
};

test('a valid row is accepted, createdAt normalised to UTC, extra fields kept', () => {
  const result = validatePostInput({ ...valid, lang: 'en' });
  assert.equal(result.ok, true);
  assert.ok(result.ok);
  assert.equal(result.post.createdAt, '2024-05-02T01:30:00.000Z');
  assert.equal((result.post as Record<string, unknown>).lang, 'en');
});

test('source defaults to unknown; null optional fields count as absent', () => {
  const result = validatePostInput({
    postId: 'p',
    text: 't',
    createdAt: '2024-01-01T00:00:00Z',
    author: null,
    source: null,
  });
  assert.ok(result.ok);
  assert.equal(result.post.source, UNKNOWN_SOURCE);
  assert.equal(result.post.author, undefined);
});

test('invalid rows are rejected with a reason naming each problem', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ text: 't', createdAt: valid.createdAt }, /postId/],
    [{ postId: 'p', createdAt: valid.createdAt }, /text/],
    [{ postId: 'p', text: '', createdAt: valid.createdAt }, /text/],
    [{ postId: 12, text: 't', createdAt: valid.createdAt }, /postId/],
    [{ postId: 'p', text: ['t'], createdAt: valid.createdAt }, /text/],
    [{ postId: 'p', text: 't' }, /createdAt/],
    [{ postId: 'p', text: 't', createdAt: 'last tuesday' }, /createdAt/],
    [{ postId: 'p', text: 't', createdAt: '2024-05-01T10:00:00' }, /createdAt/], // local time: ambiguous
    [{ postId: 'p', text: 't', createdAt: 1714557600000 }, /createdAt/],
    [{ postId: 'p', text: 't', createdAt: valid.createdAt, author: 5 }, /author/],
    [{ postId: 'p', text: 'x'.repeat(MAX_TEXT_LENGTH + 1), createdAt: valid.createdAt }, /text/],
    [{ postId: 'p', text: 't', createdAt: '9999-12-31T23:30:00-05:00' }, /createdAt.*UTC year 10000.*0001\.\.9999/],
    [{ postId: 'p', text: 't', createdAt: '0001-01-01T00:30:00+01:00' }, /createdAt.*UTC year 0\b/],
    [{ postId: 'p', text: 't', createdAt: '0000-06-01T00:00:00Z' }, /createdAt/],
    ['a string', /row/],
    [null, /row/],
  ];
  for (const [row, pattern] of cases) {
    const result = validatePostInput(row);
    assert.equal(result.ok, false, JSON.stringify(row)?.slice(0, 80));
    assert.match(!result.ok ? result.reason : '', pattern);
  }
  const both = validatePostInput({ createdAt: 'x' });
  assert.match(!both.ok ? both.reason : '', /postId.*text.*createdAt|postId.*createdAt.*text/s);
});

test('createdAt at the edges of the four-digit years is accepted and keeps a YYYY-MM-DD day', () => {
  for (const [createdAt, day] of [
    ['0001-01-01T00:00:00Z', '0001-01-01'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31'],
    ['9999-12-31T20:00:00-03:59', '9999-12-31'],
    ['0001-01-01T23:00:00+22:00', '0001-01-01'],
  ]) {
    const result = validatePostInput({ postId: 'p', text: 't', createdAt });
    assert.ok(result.ok, createdAt);
    assert.equal(dayOf(result.post.createdAt), day);
    // What ingest stored is what the classifier reads back: the same schema accepts it again.
    assert.equal(StoredPostSchema.safeParse(result.post).success, true, createdAt);
  }
});

test('an oversized item (huge extra fields) is rejected', () => {
  const result = validatePostInput({ ...valid, blob: 'x'.repeat(400_000) });
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.reason : '', /bytes/);
});

test('dayOf is the UTC calendar day', () => {
  assert.equal(dayOf('2024-05-01T23:30:00-02:00'), '2024-05-02');
  assert.equal(dayOf('2024-12-31T23:59:59.999Z'), '2024-12-31');
  assert.equal(dayOf('2025-01-01T00:30:00+01:00'), '2024-12-31');
  assert.throws(() => dayOf('nope'));
});

test('a stored post needs text and a valid createdAt to be classified', () => {
  assert.equal(StoredPostSchema.safeParse({ postId: 'p', text: 'x', createdAt: '2024-01-01T00:00:00Z' }).success, true);
  assert.equal(StoredPostSchema.safeParse({ postId: 'p', createdAt: '2024-01-01T00:00:00Z' }).success, false);
  assert.equal(StoredPostSchema.safeParse({ postId: 'p', text: 'x', createdAt: 'soon' }).success, false);
});

test("createdAt takes PostgreSQL's timestamptz text, as `\\copy ... csv` writes it", () => {
  for (const [createdAt, utc] of [
    ['2026-11-20 13:11:04.861168+00', '2026-11-20T13:11:04.861Z'],
    ['2026-11-20 23:30:00-05', '2026-11-21T04:30:00.000Z'],
    ['2026-11-21 08:00:00+05:30', '2026-11-21T02:30:00.000Z'],
    ['2026-11-21 08:00:00+0530', '2026-11-21T02:30:00.000Z'],
    ['2026-11-21T08:00:00+05', '2026-11-21T03:00:00.000Z'],
    ['2026-11-21 08:00:00Z', '2026-11-21T08:00:00.000Z'],
  ]) {
    const result = validatePostInput({ postId: 'p', text: 't', createdAt });
    assert.ok(result.ok, createdAt);
    assert.equal(result.post.createdAt, utc, createdAt);
    assert.equal(StoredPostSchema.safeParse(result.post).success, true);
  }
  assert.equal(fromPostgresTimestamp('2026-11-20T13:11:04+05:30'), '2026-11-20T13:11:04+05:30', 'ISO unchanged');
});

test('PostgreSQL text without an offset (a bare timestamp) or in another DateStyle is still rejected', () => {
  for (const createdAt of [
    '2026-11-20 13:11:04.861168', // timestamp without time zone: ambiguous
    '2026-11-20 13:11+00', // no seconds
    '11/20/2026 13:11:04.861168 UTC', // DateStyle SQL
    'Fri Nov 20 13:11:04.861168 2026 UTC', // DateStyle Postgres
    '2026-11-20 25:11:04+00',
  ]) {
    const result = validatePostInput({ postId: 'p', text: 't', createdAt });
    assert.equal(result.ok, false, createdAt);
    assert.match(!result.ok ? result.reason : '', /createdAt/);
  }
});
