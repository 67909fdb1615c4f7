import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  commonEnglishShare,
  detectLanguage,
  DETECTION_TUNING,
  identifyLanguage,
  languageSignal,
} from '../../src/classifier/language.js';
import { ngramTable, type NgramTableFile } from '../../src/classifier/latin-language.js';
import { loadConfig } from '../../src/config.js';
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
    assert.equal(detectLanguage(NON_ENGLISH.find((s) => s.language === 'Arabic')!.text).language, 'ara');
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

  it('needs six Latin letters, or three in Arabic script or Devanagari, before guessing', () => {
    assert.equal(detectLanguage('abc de').language, 'und'); // 5 letters
    assert.notEqual(detectLanguage('Merhaba arkadaşlar, bugün hava çok güzel').language, 'und');
    assert.equal(detectLanguage('١٢٣ مرحبا').language, 'ara'); // 5 Arabic letters: the script says it
    assert.equal(detectLanguage('١٢٣ مر').language, 'und'); // 2
    assert.equal(detectLanguage('नमस्ते').language, 'hin');
  });

  it('keeps everyday English English (regressions of the trigram detector)', () => {
    for (const text of [
      'Meeting at noon',
      'great stuff',
      'Meeting at noon, bring the slides',
      'Dinner with mum tonight',
      'Gonna grab coffee brb',
      'Flight delayed again, typical',
      'Congrats to the team!',
      'Tickets on sale tomorrow',
    ]) {
      assert.equal(detectLanguage(text).unsupported, false, `${text}: ${detectLanguage(text).language}`);
    }
  });

  it('tells Arabic from Urdu by the letters only Urdu writes', () => {
    assert.equal(identifyLanguage('هذا المنتج رائع جدا وأنصح به الجميع'), 'ara');
    assert.equal(identifyLanguage('یہ بہت اچھی کتاب ہے اور میں نے اسے پڑھا'), 'urd');
    assert.equal(identifyLanguage('@user مبروك 🎉 https://t.co/x'), 'ara');
  });

  it('names the European reply languages', () => {
    const cases: Array<[string, string]> = [
      ['Je suis vraiment déçu par ce service, jamais plus', 'fra'],
      ['Ich bin total begeistert von dem neuen Album', 'deu'],
      ['Che bella giornata, andiamo al mare stasera', 'ita'],
      ['Estou muito feliz com o resultado do jogo de hoje', 'por'],
      ['Qué asco de tiempo hace hoy en la ciudad', 'spa'],
    ];
    for (const [text, language] of cases) assert.equal(identifyLanguage(text), language, text);
  });

  it('reads German written half in English as German when it has a German marker, not plain English', () => {
    assert.equal(identifyLanguage('happy birthday, kleiner Bär!'), 'deu');
    assert.equal(
      identifyLanguage('happy birthday, kleiner Bär!', { ...DETECTION_TUNING, germanMarkedPreference: 2 }),
      'eng',
    );
    assert.equal(identifyLanguage('Der Film war gut but the ending sucked'), 'eng');
    assert.equal(identifyLanguage('Finally got my new phone today'), 'eng');
  });

  it('reads romanised Hindi (Hinglish) as Hindi when its common words say so', () => {
    assert.equal(identifyLanguage('yaar ye movie bahut acchi hai, sab log dekho'), 'hin');
    assert.equal(identifyLanguage('kya baat hai bhai, maza aa gaya'), 'hin');
  });

  it('routes the DETECTION_TUNING thresholds through identifyLanguage', () => {
    const text = 'Ich bin total begeistert von dem neuen Album';
    assert.equal(identifyLanguage(text, { ...DETECTION_TUNING, minLatinLetters: 1000 }), 'und');
    assert.equal(
      identifyLanguage(text, { ...DETECTION_TUNING, englishPreference: 0, germanMarkedPreference: 2 }),
      'eng',
    );
  });

  it('ignores mentions, hashtags and links when judging the language', () => {
    assert.equal(languageSignal('@user loving it #blessed https://t.co/x 2024'), 'loving it');
  });
});

describe('other scripts', () => {
  it('names a text by its script, Japanese by its kana', () => {
    const cases: Array<[string, string]> = [
      ['Привет, как дела у тебя сегодня?', 'rus'],
      ['Καλημέρα σε όλους τους φίλους', 'ell'],
      ['שלום לכולם מה שלומכם היום', 'heb'],
      ['สวัสดีครับทุกคนวันนี้อากาศดี', 'tha'],
      ['আমি বাংলায় গান গাই প্রতিদিন', 'ben'],
      ['안녕하세요 오늘 날씨가 좋네요', 'kor'],
      ['这是一个中文句子没有假名', 'zho'],
      ['これは日本語のテキストです', 'jpn'],
      ['Հայերեն տեքստ է սա', 'und'],
    ];
    for (const [text, language] of cases) assert.equal(identifyLanguage(text), language, text);
  });
});

describe('the n-gram table', () => {
  const file: NgramTableFile = {
    source: 'test',
    type: 'large',
    languages: ['en', 'fr'],
    byteChars: '',
    ngrams: [' abc', ' the ', 'zzz '].join('\n'),
    scores: Buffer.from([1, 2, 3, 4, 5, 6]).toString('base64'),
  };

  it('answers each n-gram its scores per language, and undefined for one it lacks', () => {
    const table = ngramTable(file);
    assert.deepEqual([...table.scoresOf(' abc')!], [1, 2]);
    assert.deepEqual([...table.scoresOf(' the ')!], [3, 4]);
    assert.deepEqual([...table.scoresOf('zzz ')!], [5, 6]);
    for (const missing of ['', ' ab', ' the', 'zzzz ', '~']) assert.equal(table.scoresOf(missing), undefined, missing);
  });

  it('refuses a table whose scores do not match its n-grams', () => {
    assert.throws(() => ngramTable({ ...file, scores: Buffer.from([1, 2, 3]).toString('base64') }), /3 scores for 3/);
  });

  it('the shipped table is sorted as JavaScript compares strings, so every n-gram is found', () => {
    const shipped = JSON.parse(readFileSync(loadConfig().languageData, 'utf8')) as NgramTableFile;
    const grams = shipped.ngrams.split('\n');
    assert.ok(grams.length > 50_000, `${grams.length} n-grams`);
    const table = ngramTable(shipped);
    assert.deepEqual(
      grams.filter((gram) => table.scoresOf(gram) === undefined),
      [],
    );
  });

  it('without a readable table, answers Latin-script posts undetermined (English model), logging an error', () => {
    // A fresh process: the table is read once per process. Both places it is looked for are missing here.
    const script = [
      "const { identifyLanguage } = await import('./src/classifier/language.ts');",
      "const texts = ['Nous sommes allés au marché ce matin avec les enfants',",
      "  'Привет, как дела у тебя сегодня?'];",
      'console.log(JSON.stringify(texts.map((text) => identifyLanguage(text))));',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      env: { ...process.env, MODEL_DIR: '/nonexistent/models', LAMBDA_TASK_ROOT: '/nonexistent' },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim().split('\n').pop(), '["und","rus"]');
    assert.match(run.stdout + run.stderr, /n-gram table unreadable; Latin-script posts are undetermined/);
  });
});
