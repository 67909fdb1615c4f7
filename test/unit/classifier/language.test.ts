import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  commonEnglishShare,
  withoutCommonEnglishWords,
  detectLanguage,
  DETECTION_TUNING,
  identifyLanguage,
  indonesianOrMalay,
  languageSignal,
} from '../../../src/classifier/language.js';
import { indonesianScore } from '../../../src/classifier/indonesian-malay.js';
import { encodeNgramTable, ngramTable } from '../../../src/classifier/ngram-table.js';
import { loadConfig } from '../../../src/config.js';
import { NON_ENGLISH, SHORT_ENGLISH, UNAMBIGUOUS } from '../../fixtures/sentences.js';

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

  it('strips the words it counts as common English, and keeps the rest as written', () => {
    assert.equal(withoutCommonEnglishWords("The budget REPORT, don't miss it today!"), 'budget REPORT, miss');
    assert.equal(withoutCommonEnglishWords('I love this so much'), '');
    assert.equal(withoutCommonEnglishWords('  Saya   sangat suka '), 'Saya sangat suka');
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

// Issue #24: the audience's other languages. Every phrase here was written for the test (no data text).
describe('the audience languages: Turkish, Urdu (both scripts), Indonesian and Malay', () => {
  it('names Turkish', () => {
    for (const text of ['Bugün hava çok güzel, herkese iyi hafta sonları', 'Bu ne rezalet ya, hiç beğenmedim']) {
      assert.equal(identifyLanguage(text), 'tur', text);
    }
  });

  it('reads Urdu typed in Arabic presentation forms as Urdu (its own letters are found after NFKC)', () => {
    const presentationForms = 'ﻳﮧ ﺑﮩﺖ ﺍﭼﮭﯽ ﮐﺘﺎﺏ ﮨﮯ';
    assert.notEqual(presentationForms, presentationForms.normalize('NFKC'), 'the phrase is in presentation forms');
    assert.equal(identifyLanguage(presentationForms), 'urd');
    assert.equal(identifyLanguage(presentationForms.normalize('NFKC')), 'urd');
    assert.equal(identifyLanguage('ﻫﺬﺍ ﺍﻟﻤﻨﺘﺞ ﺭﺍﺋﻊ ﺟﺪﺍ'), 'ara'); // Arabic in presentation forms stays Arabic
  });

  it('tells Indonesian from Malay by their words, where the n-grams call both Malay', () => {
    const cases: Array<[string, string]> = [
      ['Gue nggak suka banget sama pelayanannya, parah deh', 'ind'],
      ['Makanannya enak banget, harganya juga murah', 'ind'],
      ['Kerajaan perlu ambil tindakan segera, rakyat dah penat', 'msa'],
      ['Saya tak boleh terima keputusan ni, memang teruk', 'msa'],
    ];
    for (const [text, language] of cases) assert.equal(identifyLanguage(text), language, text);
  });

  it('weighs Indonesian against Malay by word rates plus the fitted scorer, the bias deciding a tie', () => {
    const malay = languageSignal('Kerajaan perlu ambil tindakan segera, rakyat dah penat');
    assert.equal(indonesianOrMalay(malay), 'msa');
    assert.equal(indonesianOrMalay(malay, 1000), 'ind');
    assert.ok(indonesianScore(malay) < 0);
    // Informal Indonesian, as tweets write it: the scorer's character n-grams read its spellings too.
    const indonesian = languageSignal('gue udah nggak sabar banget nih, kapan lagi ya');
    assert.ok(indonesianScore(indonesian) > 0);
    assert.equal(indonesianOrMalay(indonesian), 'ind');
    assert.equal(indonesianOrMalay(indonesian, -1000), 'msa');
  });

  it('reads Roman Urdu as Urdu, and keeps romanised Hindi Hindi, by the Urdu log-odds', () => {
    const urdu = [
      'Yeh khana bohat mazedar tha, dobara zaroor aayenge',
      'Mujhe yeh service bilkul pasand nahi aayi, paisay zaya ho gaye',
      'Order time par deliver hua, quality bhi achi hai, thanks',
      'Price kitny ka hai, plz btaen', // spellings no word list had: the n-grams carry them
    ];
    for (const text of urdu) assert.equal(identifyLanguage(text), 'urd', text);
    const hindi = 'ye kaisa mausam hai yaar, bahut garmi hai';
    assert.equal(identifyLanguage(hindi), 'hin');
    assert.equal(identifyLanguage(hindi, { ...DETECTION_TUNING, urduScore: -1000 }), 'urd');
    assert.equal(identifyLanguage(urdu[0], { ...DETECTION_TUNING, urduScore: 1000 }), 'hin');
  });

  it('takes Roman Urdu from what the n-grams say (English, Turkish, Malay, Indonesian) only above the bar', () => {
    for (const [text, ngrams] of [
      ['Mobile ki battery kharab nikli, refund chahiye', 'eng'],
      ['Lahore mein awam ki madad, great work by volunteers', 'eng'],
      ['Wazir e azam ki taqreer bakwas thi', 'tur'],
      ['Awam ki taraf se wazir azam ko dua, great job', 'msa'],
      ['Aap ka bohat shukriya, kaam waqt par ho gaya', 'ind'],
    ]) {
      assert.equal(identifyLanguage(text), 'urd', text);
      assert.equal(identifyLanguage(text, { ...DETECTION_TUNING, hindustaniScore: 1000 }), ngrams, text);
    }
  });

  it('takes a short text (six scored words or fewer) as Roman Urdu from the lower short-text bar', () => {
    // Between the short-text bar (2) and the general one (4): three words cannot add up to more.
    for (const text of ['mjhe lgta he', 'kia scene he', 'kb milo ge']) {
      assert.equal(identifyLanguage(text), 'urd', text);
      assert.equal(identifyLanguage(text, { ...DETECTION_TUNING, shortHindustaniScore: 4 }), 'eng', text);
    }
    // Seven scored words at log-odds 2.5: the general bar applies, unless the short-text limit is raised to seven.
    const longer = 'mjhe lgta he match tomorrow at stadium';
    assert.equal(identifyLanguage(longer), 'eng');
    assert.equal(identifyLanguage(longer, { ...DETECTION_TUNING, shortTextWords: 7 }), 'hin');
    // English as headlines write it, without its common words: the scorer is fitted on such English too.
    const terse = ['tuesday report noon today', 'budget report today', 'Lovely sunset tonight', 'nice yr'];
    for (const text of [...terse, 'Brilliant acting, superb direction']) {
      assert.equal(identifyLanguage(text), 'eng', text);
    }
  });

  it('keeps English with a Hindustani name or two English', () => {
    for (const text of [
      'Great news for awam, the government announced relief today',
      'Imran Khan played a great match today', // names: a capital inside a sentence is not scored
      'Babar Azam and Shaheen Afridi were brilliant in Lahore tonight',
      'Love the new Coke Studio song, so good',
      'Delivery bohat late thi and the packing was torn', // one word in three Hindustani, the rest English
    ]) {
      assert.equal(identifyLanguage(text), 'eng', text);
    }
    // Code-mixed with five Urdu words in thirteen (Pakistani English writes titles so): Roman Urdu.
    assert.equal(identifyLanguage('Great news for awam, wazir e azam announced relief, thanks to the sadar'), 'urd');
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
  const header = { source: 'test', type: 'large', languages: ['en', 'fr'], byteChars: '' };
  const rows: Array<[string, number[]]> = [
    ['zzz ', [5, 6]],
    [' abc', [1, 2]],
    [' the ', [3, 4]],
    ['\u00e9t\u00e9', [0, 255]],
  ];

  it('answers each n-gram its scores per language, and undefined for one it lacks', () => {
    const table = ngramTable(encodeNgramTable(header, rows));
    assert.deepEqual(table.languages, ['en', 'fr']);
    for (const [gram, scores] of rows) assert.deepEqual([...table.scoresOf(gram)!], scores, gram);
    for (const missing of ['', ' ab', ' the', 'zzzz ', '~', ' abc ', 'été!', '\u0100']) {
      assert.equal(table.scoresOf(missing), undefined, missing);
    }
  });

  it('refuses a file that is not a table, or shorter than it declares', () => {
    const file = encodeNgramTable(header, rows);
    assert.throws(() => ngramTable(Buffer.from('{"ngrams": {}}')), /not a LNG1 file/);
    assert.throws(() => ngramTable(file.subarray(0, file.length - 1)), /bytes, not the \d+ it declares/);
  });

  it('refuses to write n-grams it could not store, and scores outside a byte', () => {
    assert.throws(() => encodeNgramTable(header, [['\u0100x', [1, 1]]]), /between U\+0001 and U\+00FF/);
    assert.throws(() => encodeNgramTable(header, [['ab', [1]]]), /needs 2 scores of 0-255/);
    assert.throws(() => encodeNgramTable(header, [['ab', [1, 256]]]), /needs 2 scores of 0-255/);
    assert.throws(
      () =>
        encodeNgramTable(header, [
          ['ab', [1, 1]],
          ['ab', [2, 2]],
        ]),
      /appears twice/,
    );
  });

  it('the shipped table finds every n-gram it holds', () => {
    const bytes = readFileSync(join(loadConfig().languageDir, 'latin-ngrams.bin'));
    const table = ngramTable(bytes);
    const headLength = bytes.readUInt32LE(4);
    const { width, count } = JSON.parse(bytes.toString('utf8', 8, 8 + headLength)) as { width: number; count: number };
    assert.ok(count > 50_000, `${count} n-grams`);
    const lost: string[] = [];
    for (let row = 0; row < count; row++) {
      const at = 8 + headLength + row * width;
      const gram = bytes.toString('latin1', at, at + width).replace(/\0+$/, '');
      if (table.scoresOf(gram) === undefined) lost.push(gram);
    }
    assert.deepEqual(lost, []);
  });

  /** Detects `texts` in a fresh process (the tables are read once per process), with `env` added. */
  function detectInFreshProcess(texts: string[], env: Record<string, string>) {
    const script = [
      "const { identifyLanguage } = await import('./src/classifier/language.ts');",
      `console.log(JSON.stringify(${JSON.stringify(texts)}.map((text) => identifyLanguage(text))));`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    return { detected: JSON.parse(run.stdout.trim().split('\n').pop() ?? 'null'), logged: run.stdout + run.stderr };
  }

  it('without readable tables, answers Latin-script posts undetermined (English model), logging each once', () => {
    // Both places the tables are looked for are missing here.
    const texts = [
      'Nous sommes allés au marché ce matin avec les enfants',
      'Yeh khana bohat mazedar tha, dobara zaroor aayenge',
      'Привет, как дела у тебя сегодня?',
    ];
    const { detected, logged } = detectInFreshProcess([...texts, ...texts], {
      MODEL_DIR: '/nonexistent/models',
      LAMBDA_TASK_ROOT: '/nonexistent',
    });
    assert.deepEqual(detected, ['und', 'und', 'rus', 'und', 'und', 'rus']);
    for (const error of [
      /latin-ngrams.bin unreadable; Latin-script posts are undetermined/g,
      /hindustani.bin unreadable/g,
    ]) {
      assert.equal(logged.match(error)?.length, 1, logged);
    }
    assert.match(logged, /ENOENT/); // each place tried, with why it failed
  });

  it('without the Indonesian-over-Malay table, tells the two apart by word rates alone, logging it once', () => {
    // Only the other two tables are where the detector looks.
    const models = mkdtempSync(join(tmpdir(), 'models-'));
    mkdirSync(join(models, 'language'));
    for (const name of ['latin-ngrams.bin', 'hindustani.bin']) {
      copyFileSync(join(loadConfig().languageDir, name), join(models, 'language', name));
    }
    try {
      const texts = ['Kerajaan perlu ambil tindakan segera, rakyat dah penat', 'gue udah nggak sabar banget nih'];
      const { detected, logged } = detectInFreshProcess([...texts, ...texts], {
        MODEL_DIR: models,
        LAMBDA_TASK_ROOT: '/nonexistent',
      });
      assert.deepEqual(detected, ['msa', 'ind', 'msa', 'ind']);
      assert.equal(logged.match(/indonesian-malay.bin unreadable; word rates alone/g)?.length, 1, logged);
      assert.doesNotMatch(logged, /(latin-ngrams|hindustani).bin unreadable/);
    } finally {
      rmSync(models, { recursive: true, force: true });
    }
  });

  it('reads the shipped table when the copy beside MODEL_DIR is not one', () => {
    const models = mkdtempSync(join(tmpdir(), 'models-'));
    mkdirSync(join(models, 'language'));
    writeFileSync(join(models, 'language', 'hindustani.bin'), 'not a table');
    try {
      const { detected, logged } = detectInFreshProcess(['Yeh khana bohat mazedar tha, dobara zaroor aayenge'], {
        MODEL_DIR: models,
      });
      assert.deepEqual(detected, ['urd']);
      assert.doesNotMatch(logged, /unreadable/);
    } finally {
      rmSync(models, { recursive: true, force: true });
    }
  });
});
