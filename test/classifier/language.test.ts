import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commonEnglishShare, detectLanguage, languageSignal } from '../../src/classifier/language.js';
import { NON_ENGLISH, SHORT_ENGLISH, UNAMBIGUOUS } from '../fixtures/sentences.js';

describe('detectLanguage', () => {
  for (const { text, language } of NON_ENGLISH) {
    it(`detects ${language} as unsupported: ${text}`, () => {
      const detected = detectLanguage(text);
      assert.equal(detected.unsupported, true, `detected ${detected.language}`);
      assert.notEqual(detected.language, 'eng');
      assert.notEqual(detected.language, 'und');
    });
  }

  it('distinguishes the Arabic-script languages', () => {
    assert.equal(detectLanguage(NON_ENGLISH.find((s) => s.language === 'Arabic')!.text).language, 'arb');
    assert.equal(detectLanguage(NON_ENGLISH.find((s) => s.language === 'Urdu')!.text).language, 'urd');
  });

  it('never flags English sentences or short English posts as unsupported', () => {
    const flagged = [...UNAMBIGUOUS.map((s) => s.text), ...SHORT_ENGLISH]
      .map((text) => ({ text, ...detectLanguage(text) }))
      .filter((d) => d.unsupported);
    assert.deepEqual(flagged, []);
  });

  it("answers 'und' for texts too short to tell, emoji, and mentions or links only", () => {
    for (const text of ['ok', 'lol 😂', '😀😀😀', '@someone @other http://t.co/abc', '12345 678']) {
      assert.deepEqual(detectLanguage(text), { language: 'und', unsupported: false }, text);
    }
  });

  it('counts common English words case-blind, ignoring punctuation and apostrophes inside words', () => {
    assert.equal(commonEnglishShare("DON'T, I'm... xylophone-zebra"), 2 / 3); // dont, im common; xylophonezebra not
    assert.equal(commonEnglishShare('Saya sangat suka'), 0);
    assert.equal(commonEnglishShare(''), 0);
    assert.equal(commonEnglishShare('!!! ???'), 0); // no words at all
  });

  it('needs ten letters before guessing, counting letters in any script', () => {
    assert.equal(detectLanguage('abc def gh').language, 'und'); // 8 letters
    assert.notEqual(detectLanguage('Merhaba arkadaşlar, bugün hava çok güzel').language, 'und');
    assert.equal(detectLanguage('١٢٣ مرحبا').language, 'und'); // 5 Arabic letters
  });

  it('ignores mentions, hashtags and links when judging the language', () => {
    assert.equal(languageSignal('@user loving it #blessed https://t.co/x 2024'), 'loving it');
  });
});
