// The sample generator: deterministic, varied in the ways the pipeline must cope with, and its
// malformed rows really are malformed for the producer's validation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { identifyLanguage } from '../../../src/classifier/language.js';
import { dayOf, validatePostInput } from '../../../src/domain/posts.js';
import { SAMPLE_DAYS, SAMPLE_SOURCES, generateSamplePosts, sampleJsonl } from '../../../src/local/sample-posts.js';

describe('sample posts', () => {
  const sample = generateSamplePosts();

  it('is the same for the same seed and different for another', () => {
    assert.deepEqual(generateSamplePosts().rows, sample.rows);
    assert.notDeepEqual(
      generateSamplePosts({ seed: 7 }).posts.map((p) => p.text),
      sample.posts.map((p) => p.text),
    );
  });

  it('matches the fixture (regenerate with: npm start -- --write-sample test/fixtures/sample-posts.jsonl)', () => {
    assert.equal(
      readFileSync(new URL('../../fixtures/sample-posts.jsonl', import.meta.url), 'utf8'),
      sampleJsonl(sample),
    );
  });

  it('has a few hundred valid posts with unique ids, spread over the sources and UTC days', () => {
    assert.equal(sample.posts.length, 300);
    assert.equal(new Set(sample.posts.map((p) => p.postId)).size, 300);
    for (const post of sample.posts) assert.equal(validatePostInput(post).ok, true, post.postId);
    const cells = new Set(sample.posts.map((p) => `${p.source}|${dayOf(p.createdAt)}`));
    assert.equal(cells.size, SAMPLE_SOURCES.length * SAMPLE_DAYS.length, 'every source has posts on every day');
    assert.ok(
      sample.posts.some((p) => !p.createdAt.endsWith('Z') && p.createdAt.slice(0, 10) !== dayOf(p.createdAt)),
      'some posts are written with an offset whose local day is not the UTC day',
    );
  });

  it('mixes tones, languages, lengths, emoji, URLs, mentions and hashtags', () => {
    const count = (values: Iterable<string>) =>
      [...values].reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>());
    const tones = count(sample.tones.values());
    for (const tone of ['negative', 'neutral', 'positive']) assert.ok(tones.get(tone)! >= 60, tone);
    const languages = count(sample.languages.values());
    for (const language of ['en', 'ar', 'ur', 'ur-Latn', 'ms', 'tr', 'id'])
      assert.ok(languages.get(language)! >= 3, language);
    const texts = sample.posts.map((p) => p.text);
    assert.ok(
      texts.some((t) => /\p{Extended_Pictographic}/u.test(t)),
      'emoji',
    );
    assert.ok(
      texts.some((t) => /https:\/\/\S+/.test(t)),
      'URL in text',
    );
    assert.ok(
      texts.some((t) => /(^|\s)@\w+/.test(t)),
      '@mention',
    );
    assert.ok(
      texts.some((t) => /#\w+/.test(t)),
      'hashtag',
    );
    const lengths = texts.map((t) => t.length);
    assert.ok(
      Math.min(...lengths) < 20 && Math.max(...lengths) > 150,
      `lengths ${Math.min(...lengths)}..${Math.max(...lengths)}`,
    );
  });

  it("has posts the detector names in each audience language: the local run's language mix shows them", () => {
    const detected = new Set(sample.posts.map((p) => identifyLanguage(p.text)));
    for (const language of ['eng', 'ara', 'urd', 'msa', 'ind', 'tur']) assert.ok(detected.has(language), language);
    // Roman Urdu (Latin script) is read as Urdu, so it reaches the model that covers it.
    const romanUrdu = sample.posts.filter((p) => sample.languages.get(p.postId) === 'ur-Latn');
    assert.ok(romanUrdu.length > 0);
    for (const post of romanUrdu) assert.ok(['urd', 'hin'].includes(identifyLanguage(post.text)), post.text);
  });

  it('includes malformed rows, each failing validation or repeating an earlier postId', () => {
    assert.ok(sample.malformed.length >= 8);
    assert.equal(sample.rows.length, sample.posts.length + sample.malformed.length);
    for (const { row, problem } of sample.malformed) {
      if (problem === 'duplicate postId') {
        const { postId } = row as { postId: string };
        assert.ok(sample.rows.indexOf(sample.posts.find((p) => p.postId === postId)) < sample.rows.indexOf(row));
      } else {
        assert.equal(validatePostInput(row).ok, false, problem);
      }
    }
  });
});
