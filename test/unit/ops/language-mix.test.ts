import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLanguageMix, tallyLanguageMix } from '../../../src/ops/language-mix.js';

describe('language mix', () => {
  const results = [
    { day: '2024-05-02', source: 'x', flags: { language: 'ara' } },
    { day: '2024-05-01', source: 'x', flags: { language: 'eng' } },
    { day: '2024-05-01', source: 'y', flags: { language: 'eng' } },
    { day: '2024-05-01', source: 'x', flags: { language: 'fra' } },
    { day: '2024-05-01', source: 'x', flags: {} }, // no language recorded: undetermined
    { day: '2024-05-03', source: 'x', flags: { language: 'eng' } },
  ];

  it('counts posts per detected language per day, in day order, within the query', () => {
    assert.deepEqual(tallyLanguageMix(results), [
      { day: '2024-05-01', count: 4, languages: { eng: 2, fra: 1, und: 1 } },
      { day: '2024-05-02', count: 1, languages: { ara: 1 } },
      { day: '2024-05-03', count: 1, languages: { eng: 1 } },
    ]);
    assert.deepEqual(
      tallyLanguageMix(results, { from: '2024-05-02', to: '2024-05-02' }).map((d) => d.day),
      ['2024-05-02'],
    );
    assert.deepEqual(tallyLanguageMix(results, { source: 'y' }), [
      { day: '2024-05-01', count: 1, languages: { eng: 1 } },
    ]);
  });

  it('prints a column per language, most posts first', () => {
    const lines = formatLanguageMix(tallyLanguageMix(results)).split('\n');
    assert.match(lines[0], /^day\s+posts\s+eng\s+ara\s+fra\s+und$/);
    assert.match(lines[2], /^2024-05-01\s+4\s+2\s+0\s+1\s+1$/);
    assert.equal(formatLanguageMix([]), 'No scored posts in range.');
  });
});
