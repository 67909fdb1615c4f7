import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHindustaniTable } from '../../../src/classifier/hindustani.js';
import { parseIndonesianMalayTable } from '../../../src/classifier/indonesian-malay.js';
import { type ScorerHeader, scoredWords, scoreText, scoreWords } from '../../../src/classifier/word-scorer.js';

/** A table as train_hindustani.py writes it: magic, header length, space-padded JSON header, float32 weights. */
function encode(header: ScorerHeader, weights: number[][], pad = true): Buffer {
  let head = Buffer.from(JSON.stringify(header));
  if (pad) head = Buffer.concat([head, Buffer.alloc((4 - ((8 + head.length) % 4)) % 4, ' ')]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.length);
  return Buffer.concat([Buffer.from('HND1'), length, head, Buffer.from(new Float32Array(weights.flat()).buffer)]);
}
const HEADER: ScorerHeader = {
  source: 'test',
  bits: 16,
  ngrams: [3, 4],
  vectors: ['hindustani', 'urdu'],
  bias: [-1, 0.5],
};
const SIZE = 2 ** HEADER.bits;

describe('parseHindustaniTable', () => {
  it('reads the header and one weight vector per name', () => {
    const table = parseHindustaniTable(encode(HEADER, [new Array(SIZE).fill(0.25), new Array(SIZE).fill(-1)]));
    assert.deepEqual(table.vectors, ['hindustani', 'urdu']);
    assert.equal(table.weights.length, 2);
    assert.equal(table.weights[0].length, SIZE);
    assert.equal(table.weights[0][123], 0.25);
    assert.equal(table.weights[1][SIZE - 1], -1);
  });

  it('rejects a file that is not a table, with the reason', () => {
    const zeros = [new Array(SIZE).fill(0), new Array(SIZE).fill(0)];
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from('PK\u0003\u0004 not a table'), /not a HND1 table/],
      [encode({ ...HEADER, bits: 30 }, zeros), /bits must be 8-24/],
      [encode({ ...HEADER, ngrams: [4, 3] }, zeros), /ascending/],
      [encode({ ...HEADER, bias: undefined } as unknown as ScorerHeader, zeros), /must be lists/],
      [encode({ ...HEADER, bias: [0] }, zeros), /one bias per vector/],
      [encode({ ...HEADER, vectors: ['hindustani', 'hindi'] }, zeros), /no "urdu" vector/],
      [encode(HEADER, [zeros[0]]), /expected 2 vectors of 65536 float32/],
      [encode(HEADER, zeros).subarray(0, 1000), /expected 2 vectors/],
    ];
    for (const [bytes, message] of cases) assert.throws(() => parseHindustaniTable(bytes), message);
  });
});

describe('parseIndonesianMalayTable', () => {
  const indonesian: ScorerHeader = { ...HEADER, vectors: ['indonesian'], bias: [0.5] };

  it('reads the one-vector table of the same layout', () => {
    const table = parseIndonesianMalayTable(encode(indonesian, [new Array(SIZE).fill(2)]));
    assert.deepEqual(table.vectors, ['indonesian']);
    assert.deepEqual(scoreWords(table, ['ab']), [0.5 + 4 * 2]);
  });

  it('rejects the Hindustani table, which has no Indonesian vector', () => {
    const zeros = [new Array(SIZE).fill(0), new Array(SIZE).fill(0)];
    assert.throws(() => parseIndonesianMalayTable(encode(HEADER, zeros)), /no "indonesian" vector/);
  });
});

describe('scoreWords', () => {
  // Every bucket weighs 1 in the first vector and 0 in the second: a score counts the text's distinct buckets.
  const table = parseHindustaniTable(encode(HEADER, [new Array(SIZE).fill(1), new Array(SIZE).fill(0)]));

  it('adds the bias and each distinct bucket once: the word and its padded 3- and 4-grams', () => {
    // "ab": the word itself, " ab" and "ab " (3-grams), " ab " (4-gram).
    assert.deepEqual(scoreWords(table, ['ab']), [-1 + 4, 0.5]);
    assert.deepEqual(scoreWords(table, ['ab', 'ab']), [-1 + 4, 0.5]);
    assert.deepEqual(scoreWords(table, []), [-1, 0.5]);
    // A second text starts from nothing: no bucket is remembered across texts.
    assert.deepEqual(scoreWords(table, ['ab']), [-1 + 4, 0.5]);
  });

  it('shares the n-grams two words have in common', () => {
    // "abc": word, " ab", "abc", "bc ", " abc", "abc " = 6; "abd" adds its word, "abd", "bd ", " abd", "abd " = 5.
    assert.deepEqual(scoreWords(table, ['abc', 'abd']), [-1 + 11, 0.5]);
  });
});

describe('scoreText', () => {
  // Weights that differ by bucket, so a stale or mixed-up set of buckets shows in the sums.
  const weights = (seed: number) => Array.from({ length: SIZE }, (_, i) => ((i * seed) % 97) / 97 - 0.5);
  const hindustani = parseHindustaniTable(encode(HEADER, [weights(7), weights(11)]));
  const indonesian = parseIndonesianMalayTable(
    encode({ ...HEADER, vectors: ['indonesian'], bias: [0.25] }, [weights(13)]),
  );
  const narrower = parseIndonesianMalayTable(
    encode({ ...HEADER, bits: 10, vectors: ['indonesian'], bias: [0] }, [new Array(2 ** 10).fill(1)]),
  );
  const fresh = (table: typeof hindustani, text: string) => scoreWords(table, scoredWords(text));

  it('scores a text as scoreWords scores its words, with their count, whichever table scored it last', () => {
    const texts = ['gue udah nggak sabar banget', 'yeh khana bohat acha tha', 'gue udah nggak sabar banget'];
    const expected = texts.map((text) => [fresh(hindustani, text), fresh(indonesian, text), fresh(narrower, text)]);
    texts.forEach((text, i) => {
      // The same text with a second table of the same features reuses its buckets; a narrower table hashes anew.
      assert.deepEqual(scoreText(hindustani, text), { sums: expected[i][0], words: 5 });
      assert.deepEqual(scoreText(indonesian, text).sums, expected[i][1]);
      assert.deepEqual(scoreText(narrower, text).sums, expected[i][2]);
      assert.deepEqual(scoreText(indonesian, text).sums, expected[i][1]);
    });
    // scoreWords in between (other words) leaves nothing stale behind.
    scoreText(hindustani, texts[0]);
    scoreWords(hindustani, ['zz', 'qq']);
    assert.deepEqual(scoreText(indonesian, texts[0]).sums, expected[0][1]);
  });
});

describe('scoredWords', () => {
  it('lower-cases the letter runs and leaves out link remnants', () => {
    assert.deepEqual(scoredWords('yeh URL dekho http www bohat acha'), ['yeh', 'dekho', 'bohat', 'acha']);
  });

  it('leaves out a capitalised word inside a sentence (a name), not at a sentence start', () => {
    assert.deepEqual(scoredWords('Imran Khan ne kaha. Phir bhi Lahore mein'), 'imran ne kaha phir bhi mein'.split(' '));
    assert.deepEqual(scoredWords('Kya baat hai! Wah'), 'kya baat hai wah'.split(' '));
  });

  it('keeps every word of a text in Title Case, where a capital marks nothing', () => {
    const words = 'police ki karwai mein do afrad zakhmi';
    assert.deepEqual(scoredWords('Police Ki Karwai Mein Do Afrad Zakhmi'), words.split(' '));
  });
});
