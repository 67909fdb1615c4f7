import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskSecrets } from '../../../src/producer/postgres-source.js';

test('the password is masked in a URL and wherever it appears, as given or URL-encoded', () => {
  assert.equal(
    maskSecrets('cannot connect to postgres://app:pa%40ss@db:5432/app: boom', []),
    'cannot connect to postgres://app:***@db:5432/app: boom',
  );
  assert.equal(maskSecrets('password pa@ss or pa%40ss', ['pa@ss']), 'password *** or ***');
  assert.equal(maskSecrets('nothing secret', [undefined, '']), 'nothing secret');
});
