import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutToCharBudget, prepareInput, toWellFormedText, type PrepareOptions } from '../../../src/classifier/input.js';
import { detectLanguage } from '../../../src/classifier/language.js';

const options: PrepareOptions = { maxChars: 100, detectLanguage, scoreUnsupportedLanguages: true };

describe('cutToCharBudget', () => {
  it('leaves short text alone and cuts long text to the budget', () => {
    assert.deepEqual(cutToCharBudget('hello', 10), { text: 'hello', cut: false });
    assert.deepEqual(cutToCharBudget('abcdefghij', 4), { text: 'abcd', cut: true });
  });

  it('never splits a surrogate pair at the cut', () => {
    const { text, cut } = cutToCharBudget('ab😀cd', 3); // 😀 occupies positions 2 and 3
    assert.equal(cut, true);
    assert.equal(text, 'ab');
    assert.equal(toWellFormedText(text).repaired, false);
  });
});

describe('toWellFormedText', () => {
  it('replaces lone surrogates with U+FFFD and says so', () => {
    assert.deepEqual(toWellFormedText('\uD800abc'), { text: '\uFFFDabc', repaired: true });
    assert.deepEqual(toWellFormedText('abc\uDC00'), { text: 'abc\uFFFD', repaired: true });
    assert.deepEqual(toWellFormedText('fine 😀'), { text: 'fine 😀', repaired: false });
  });
});

describe('prepareInput', () => {
  it('answers empty and whitespace-only text without scoring', () => {
    for (const value of ['', '   ', '\n\t  \r\n', '\u00a0\u2003']) {
      assert.deepEqual(
        prepareInput(value, options),
        { kind: 'neutral', flags: { empty: true } },
        JSON.stringify(value),
      );
    }
  });

  it('answers text with no visible character (zero-width, format, variation selectors, lone marks) as empty', () => {
    const invisible = [
      '\u200b',
      '\u200b\u200c\u200d\u2060',
      '\ufeff',
      '\ufe0f\ufe0e',
      '\u{e0061}\u{e007f}',
      '\u00ad',
      '\u200e\u200f\u202a',
      '\u0301\u0308',
      '\u3164\u115f',
      '\u2800',
      ' \u200b \n\u180e',
    ];
    for (const value of invisible) {
      assert.deepEqual(
        prepareInput(value, options),
        { kind: 'neutral', flags: { empty: true } },
        JSON.stringify(value),
      );
    }
    // Visible text that contains such characters is scored as usual.
    for (const value of ['e\u0301', '👍\ufe0f', 'good\u200bjob', '\u0928\u092e\u0938\u094d\u0924\u0947', '\ufffd']) {
      assert.equal(prepareInput(value, options).kind, 'score', JSON.stringify(value));
    }
  });

  it('flags non-string values instead of throwing', () => {
    for (const value of [42, null, undefined, { text: 'hi' }, ['a']]) {
      assert.deepEqual(prepareInput(value, options), { kind: 'neutral', flags: { invalidInput: true } });
    }
  });

  it('cuts text over the character budget and flags it truncated', () => {
    const prepared = prepareInput('very good '.repeat(50), options);
    assert.equal(prepared.kind, 'score');
    assert.equal(prepared.kind === 'score' && prepared.text.length, 100);
    assert.equal(prepared.flags.truncated, true);
  });

  it('scores repaired text and flags the repair', () => {
    const prepared = prepareInput('\uD800abc', options);
    assert.equal(prepared.kind, 'score');
    assert.equal(prepared.kind === 'score' && prepared.text, '\uFFFDabc');
    assert.equal(prepared.flags.repairedEncoding, true);
  });

  it('scores unsupported languages by default and skips them when told to', () => {
    const text = 'Bu ürün gerçekten harika, teşekkürler!';
    const scored = prepareInput(text, options);
    assert.equal(scored.kind, 'score');
    assert.equal(scored.flags.unsupportedLanguage, true);
    const skipped = prepareInput(text, { ...options, scoreUnsupportedLanguages: false });
    assert.equal(skipped.kind, 'neutral');
    assert.equal(skipped.flags.skipped, true);
    assert.equal(skipped.flags.unsupportedLanguage, true);
    assert.equal(skipped.flags.language, scored.flags.language);
  });
});
