import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodePostMessage,
  parsePostMessage,
  postMessageJsonSchema,
  PostMessageSchema,
  MAX_POST_ID_LENGTH,
} from '../../../src/domain/messages.js';

test('accepts a minimal v1 message and ignores unknown extra fields', () => {
  const parsed = parsePostMessage(JSON.stringify({ v: 1, postId: 'p-1', futureField: [1, 2] }));
  assert.deepEqual(parsed, { ok: true, message: { v: 1, postId: 'p-1' } });
});

test('accepts optional source and enqueuedAt', () => {
  const parsed = parsePostMessage(
    JSON.stringify({ v: 1, postId: 'p', source: 'twitter', enqueuedAt: '2024-05-01T10:00:00+02:00' }),
  );
  assert.equal(parsed.ok, true);
  assert.equal(parsed.ok && parsed.message.source, 'twitter');
});

test('what encodePostMessage writes, parsePostMessage reads back', () => {
  const body = encodePostMessage('abc/123', { source: 'reddit', enqueuedAt: new Date(0).toISOString() });
  assert.deepEqual(parsePostMessage(body), {
    ok: true,
    message: { v: 1, postId: 'abc/123', source: 'reddit', enqueuedAt: '1970-01-01T00:00:00.000Z' },
  });
});

test('a body that is not JSON is rejected as not-json', () => {
  for (const body of ['', 'hello', '{"v":1,', '\u0000\u0001', '{"v":1 "postId":"x"}']) {
    const parsed = parsePostMessage(body);
    assert.equal(parsed.ok, false, body);
    assert.equal(!parsed.ok && parsed.reason, 'not-json', body);
    assert.ok(!parsed.ok && parsed.detail.length > 0);
  }
});

test('a body that is not a string is rejected as not-json', () => {
  for (const body of [undefined, null, 42, { v: 1, postId: 'x' }]) {
    const parsed = parsePostMessage(body);
    assert.equal(!parsed.ok && parsed.reason, 'not-json');
  }
});

test('schema violations are rejected as schema-invalid with the offending field named', () => {
  const cases: Array<[unknown, string]> = [
    [{ postId: 'x' }, 'v'],
    [{ v: 2, postId: 'x' }, 'v'],
    [{ v: '1', postId: 'x' }, 'v'],
    [{ v: 1 }, 'postId'],
    [{ v: 1, postId: 42 }, 'postId'],
    [{ v: 1, postId: '' }, 'postId'],
    [{ v: 1, postId: ' padded ' }, 'postId'],
    [{ v: 1, postId: 'a\nb' }, 'postId'],
    [{ v: 1, postId: 'x'.repeat(MAX_POST_ID_LENGTH + 1) }, 'postId'],
    [{ v: 1, postId: 'x', source: 7 }, 'source'],
    [{ v: 1, postId: 'x', enqueuedAt: 'yesterday' }, 'enqueuedAt'],
    [[1, 2, 3], ''],
    ['just a string', ''],
    [null, ''],
  ];
  for (const [value, field] of cases) {
    const parsed = parsePostMessage(JSON.stringify(value));
    assert.equal(parsed.ok, false, JSON.stringify(value));
    assert.equal(!parsed.ok && parsed.reason, 'schema-invalid', JSON.stringify(value));
    if (field) assert.match(!parsed.ok ? parsed.detail : '', new RegExp(field), JSON.stringify(value));
  }
});

test('the failure detail is bounded even for huge invalid bodies', () => {
  const parsed = parsePostMessage(JSON.stringify({ v: 1, postId: 'x'.repeat(200_000) }));
  assert.equal(parsed.ok, false);
  assert.ok(!parsed.ok && parsed.detail.length <= 1000);
});

test('the exported schema is the one the parser applies', () => {
  assert.equal(PostMessageSchema.safeParse({ v: 1, postId: 'x' }).success, true);
  assert.equal(PostMessageSchema.safeParse({ v: 1, postId: '' }).success, false);
});

test('the JSON Schema for documentation requires v = 1 and postId, and allows extra fields', () => {
  const schema = postMessageJsonSchema() as {
    required: string[];
    properties: Record<string, { const?: unknown }>;
    additionalProperties?: unknown;
  };
  assert.deepEqual(schema.required.sort(), ['postId', 'v']);
  assert.equal(schema.properties.v.const, 1);
  assert.notEqual(schema.additionalProperties, false);
});
