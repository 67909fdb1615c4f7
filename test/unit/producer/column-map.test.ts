import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MissingColumnError, parseColumnMap, recordMapper, resolveColumns } from '../../../src/producer/column-map.js';
import { UsageError } from '../../../src/errors.js';

test('--map is FIELD=COLUMN pairs; a malformed or repeated entry is a usage error', () => {
  assert.deepEqual(parseColumnMap(undefined), {});
  assert.deepEqual(parseColumnMap('postId=tweet_id, source=platform'), { postId: 'tweet_id', source: 'platform' });
  for (const bad of ['postId', 'postId=', '=id', 'a=b=c', 'postId=a,postId=b', 'postId=a,text=a'])
    assert.throws(() => parseColumnMap(bad), UsageError, bad);
});

test('the fields come from columns named as them, else from the defaults id, text, created_at', () => {
  assert.deepEqual(resolveColumns(['postId', 'text', 'createdAt', 'source'], {}, 'f.csv'), [
    ['postId', 'postId'],
    ['text', 'text'],
    ['createdAt', 'createdAt'],
  ]);
  assert.deepEqual(resolveColumns(['id', 'text', 'created_at', 'platform'], { source: 'platform' }, 'f.csv'), [
    ['source', 'platform'],
    ['postId', 'id'],
    ['text', 'text'],
    ['createdAt', 'created_at'],
  ]);
});

test('a missing column is named with the columns found', () => {
  assert.throws(
    () => resolveColumns(['tweet_id', 'body', 'created_at'], { text: 'body', source: 'platform' }, 'table t'),
    (error: Error) =>
      error instanceof MissingColumnError &&
      error.message.includes('table t has no column for source (--map source=platform: no column platform), ') &&
      error.message.includes('postId (no column postId or id)') &&
      error.message.includes('columns found: tweet_id, body, created_at.') &&
      !error.message.includes('text ('),
  );
});

test('a record is renamed to the fields; the other columns kept only when asked', () => {
  const resolved = resolveColumns(['id', 'text', 'created_at', 'platform', 'lang'], { source: 'platform' }, 'x');
  const record = { id: '9000000001', text: 'hi', created_at: '2026-11-20 13:11:04+00', platform: 'tw', lang: 'en' };
  assert.deepEqual(recordMapper(resolved, true)(record), {
    lang: 'en',
    source: 'tw',
    postId: '9000000001',
    text: 'hi',
    createdAt: '2026-11-20 13:11:04+00',
  });
  assert.deepEqual(Object.keys(recordMapper(resolved, false)(record)).sort(), [
    'createdAt',
    'postId',
    'source',
    'text',
  ]);
});
