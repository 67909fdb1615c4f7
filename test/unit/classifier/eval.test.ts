import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { evaluate, parseLabelledJsonl } from '../../../src/evaluation/evaluate.js';
import { baselinePredictions, evaluateColumn, parseNeutralBand } from '../../../src/evaluation/column-baseline.js';
import { sentimentFromProbabilities, type Classifier, type Probabilities } from '../../../src/domain/sentiment.js';
import { DEFAULT_MODEL } from '../../../src/resources.js';
import { UNAMBIGUOUS } from '../../fixtures/sentences.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eval-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeJsonl(name: string, rows: readonly object[]): string {
  const file = join(dir, name);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

function runEval(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/eval.ts', ...args],
      { cwd: repoRoot, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** Answers fixed probabilities per text, to test the evaluation maths without a model. */
function fixedClassifier(answers: Record<string, Probabilities>): Classifier {
  return {
    modelId: 'fixed',
    classify: async (texts) => texts.map((t) => sentimentFromProbabilities(answers[t], 'fixed', 'transformer', {})),
  };
}

describe('parseLabelledJsonl', () => {
  it('reads rows and skips blank lines', () => {
    assert.deepEqual(parseLabelledJsonl('{"text":"a","label":"positive"}\n\n{"text":"b","label":"neutral"}\n', 'f'), [
      { text: 'a', label: 'positive' },
      { text: 'b', label: 'neutral' },
    ]);
  });

  it('names the bad line', () => {
    assert.throws(
      () => parseLabelledJsonl('{"text":"a","label":"positive"}\n{oops', 'f.jsonl'),
      /f\.jsonl:2: not valid JSON/,
    );
    assert.throws(
      () => parseLabelledJsonl('{"text":"a","label":"joy"}', 'f.jsonl'),
      /f\.jsonl:1: "label" must be one of/,
    );
    assert.throws(() => parseLabelledJsonl('{"label":"positive"}', 'f.jsonl'), /"text" must be a string/);
  });
});

describe('evaluate', () => {
  const answers: Record<string, Probabilities> = {
    // Neutral is the top label, but positive outweighs negative: binary scoring must say positive.
    leansPositive: { negative: 0.1, neutral: 0.6, positive: 0.3 },
    leansNegative: { negative: 0.35, neutral: 0.6, positive: 0.05 },
    clearlyPositive: { negative: 0.05, neutral: 0.05, positive: 0.9 },
  };

  it('scores files without neutral rows as binary, folding the neutral probability', async () => {
    const rows = [
      { text: 'leansPositive', label: 'positive' as const },
      { text: 'leansNegative', label: 'negative' as const },
      { text: 'clearlyPositive', label: 'negative' as const },
    ];
    const report = await evaluate(fixedClassifier(answers), rows);
    assert.equal(report.scoring, 'binary');
    assert.deepEqual(Object.keys(report.perClass), ['negative', 'positive']);
    assert.deepEqual(report.confusion, {
      negative: { negative: 1, positive: 1 },
      positive: { negative: 0, positive: 1 },
    });
    assert.ok((report.textsPerSecond ?? 0) > 0);
  });

  it('scores three-class files by the top label', async () => {
    const rows = [
      { text: 'leansPositive', label: 'neutral' as const },
      { text: 'clearlyPositive', label: 'positive' as const },
    ];
    const report = await evaluate(fixedClassifier(answers), rows);
    assert.equal(report.scoring, 'three-class');
    assert.equal(report.accuracy, 1);
  });
});

describe('evaluate by language', () => {
  // Hand-written sentences (never dataset text). The fixed classifier answers by text; flags.language is
  // what a router's detector would have said.
  const rows = [
    { text: 'fr-pos', label: 'positive' as const, language: 'fra' },
    { text: 'fr-neg', label: 'negative' as const, language: 'fra' },
    { text: 'fr-neu-as-eng', label: 'neutral' as const, language: 'fra' },
    { text: 'en-pos', label: 'positive' as const, language: 'eng' },
    { text: 'no-gold', label: 'negative' as const },
  ];
  const said: Record<string, { p: Probabilities; language: string }> = {
    'fr-pos': { p: { negative: 0.1, neutral: 0.1, positive: 0.8 }, language: 'fra' },
    'fr-neg': { p: { negative: 0.1, neutral: 0.1, positive: 0.8 }, language: 'fra' }, // wrong
    'fr-neu-as-eng': { p: { negative: 0.1, neutral: 0.8, positive: 0.1 }, language: 'eng' },
    'en-pos': { p: { negative: 0.1, neutral: 0.1, positive: 0.8 }, language: 'eng' },
    'no-gold': { p: { negative: 0.8, neutral: 0.1, positive: 0.1 }, language: 'und' },
  };
  const classifier: Classifier = {
    modelId: 'fixed',
    classify: async (texts) =>
      texts.map((t) =>
        sentimentFromProbabilities(said[t].p, said[t].language === 'fra' ? 'multi' : 'fixed', 'transformer', {
          language: said[t].language,
        }),
      ),
  };

  it('gives n, macro recall, accuracy and what each gold language was detected as, over its own rows', async () => {
    const report = await evaluate(classifier, rows);
    assert.deepEqual(Object.keys(report.byLanguage), ['eng', 'fra']); // rows without a gold language are left out
    const fra = report.byLanguage.fra;
    assert.equal(fra.n, 3);
    assert.equal(fra.accuracy, 2 / 3);
    assert.equal(fra.macroRecall, (1 + 0 + 1) / 3); // positive 1/1, negative 0/1, neutral 1/1
    assert.deepEqual(fra.detectedAs, { fra: 2, eng: 1 });
    assert.deepEqual(report.byLanguage.eng, { n: 1, macroRecall: 1, accuracy: 1, detectedAs: { eng: 1 } });
    assert.deepEqual(report.detectedLanguages, { fra: 2, eng: 2, und: 1 });
    assert.deepEqual(report.byModel, { multi: 2, fixed: 3 });
  });

  it('reads the optional language field, ISO 639-3 or 639-1, and names a bad one', () => {
    assert.deepEqual(
      parseLabelledJsonl(
        '{"text":"a","label":"positive","language":"ar"}\n{"text":"b","label":"neutral","language":"deu"}',
        'f',
      ),
      [
        { text: 'a', label: 'positive', language: 'ara' },
        { text: 'b', label: 'neutral', language: 'deu' },
      ],
    );
    assert.throws(
      () => parseLabelledJsonl('{"text":"a","label":"positive","language":"French"}', 'f.jsonl'),
      /f\.jsonl:1: "language" must be an ISO 639-3/,
    );
  });
});

describe('npm run eval --json', () => {
  it('prints exactly one JSON object with the metrics, and the baseline under the same keys', async () => {
    const data = writeJsonl('three.jsonl', UNAMBIGUOUS);
    const { status, stdout, stderr } = await runEval([
      '--data',
      data,
      '--model',
      'lexicon',
      '--baseline',
      'lexicon',
      '--json',
    ]);
    assert.equal(status, 0, stderr);
    const report = JSON.parse(stdout); // throws if stdout holds anything but one JSON value
    assert.equal(stdout.trim().split('\n').length, 1);
    const keys = ['model', 'n', 'accuracy', 'macroRecall', 'macroF1', 'perClass', 'confusion', 'textsPerSecond'];
    for (const key of keys) {
      assert.ok(key in report, `missing ${key}`);
      assert.ok(key in report.baseline, `baseline missing ${key}`);
    }
    assert.equal(report.n, UNAMBIGUOUS.length);
    assert.equal(report.scoring, 'three-class');
    const confusionTotal = Object.values(report.confusion as Record<string, Record<string, number>>)
      .flatMap((row) => Object.values(row))
      .reduce((a, b) => a + b, 0);
    assert.equal(confusionTotal, UNAMBIGUOUS.length);
  });

  it('prints the language table, and byLanguage in the JSON, for a file with languages', async () => {
    const data = writeJsonl('languages.jsonl', [
      { text: 'What a wonderful day, thank you all so much!', label: 'positive', language: 'eng' },
      { text: 'This is the worst service I have ever had', label: 'negative', language: 'eng' },
      { text: 'Quelle journée magnifique, merci à tous pour tout', label: 'positive', language: 'fra' },
    ]);
    const json = await runEval(['--data', data, '--model', 'lexicon', '--json']);
    assert.equal(json.status, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(report.byLanguage), ['eng', 'fra']);
    assert.equal(report.byLanguage.eng.n, 2);
    assert.deepEqual(report.byLanguage.eng.detectedAs, { eng: 2 });
    assert.deepEqual(report.byLanguage.fra.detectedAs, { fra: 1 });
    assert.deepEqual(report.detectedLanguages, { eng: 2, fra: 1 });
    const text = await runEval(['--data', data, '--model', 'lexicon']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /language\s+n\s+macro recall\s+accuracy\s+detected as right/);
    assert.match(text.stdout, /\n\s+fra\s+1\s+/);
    assert.match(text.stdout, /detected languages\s+eng 2, fra 1/);
  });

  it('reports the audience languages (issue #24) in byLanguage, routed as listed, and German to v1', async () => {
    // Hand-written posts, one gold language each; Roman Urdu's gold language is Urdu, as in the audience files.
    const rows = [
      { text: 'Bugün hava çok güzel, herkese iyi hafta sonları', label: 'positive', language: 'tur' },
      { text: 'Bu ne rezalet ya, hiç beğenmedim', label: 'negative', language: 'tur' },
      { text: 'یہ بہت اچھی کتاب ہے اور میں نے اسے پڑھا', label: 'positive', language: 'urd' },
      { text: 'Mujhe yeh service bilkul pasand nahi aayi, paisay zaya ho gaye', label: 'negative', language: 'urd' },
      { text: 'Makanannya enak banget, harganya juga murah', label: 'positive', language: 'ind' },
      { text: 'Kerajaan perlu ambil tindakan segera, rakyat dah penat', label: 'negative', language: 'msa' },
      { text: 'What a wonderful day, thank you all so much!', label: 'positive', language: 'eng' },
      { text: 'Das Essen war wirklich schrecklich, wir kommen nie wieder', label: 'negative', language: 'deu' },
    ];
    const data = writeJsonl('audience.jsonl', rows);
    const json = await runEval(['--data', data, '--json']);
    assert.equal(json.status, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(report.byLanguage).sort(), ['deu', 'eng', 'ind', 'msa', 'tur', 'urd']);
    assert.deepEqual(report.byLanguage.urd.detectedAs, { urd: 2 });
    assert.deepEqual(report.byLanguage.tur.detectedAs, { tur: 2 });
    assert.deepEqual(report.byLanguage.ind.detectedAs, { ind: 1 });
    assert.deepEqual(report.byLanguage.msa.detectedAs, { msa: 1 });
    // The routed models as listed: German to v1, Turkish and Urdu to their n-gram models, Indonesian and Malay to
    // theirs (v2 gets none of these).
    const [v1, turkish, urdu, malay] = DEFAULT_MODEL.multilingualIds;
    assert.deepEqual(report.byModel, { [turkish]: 2, [urdu]: 2, [malay]: 2, [DEFAULT_MODEL.id]: 1, [v1]: 1 });
    const text = await runEval(['--data', data]);
    assert.equal(text.status, 0, text.stderr);
    for (const language of ['ind', 'msa', 'tur', 'urd'])
      assert.match(text.stdout, new RegExp(`\\n\\s+${language}\\s+`));
  });

  it('says when it scores binary data', async () => {
    const data = writeJsonl(
      'binary.jsonl',
      UNAMBIGUOUS.filter((s) => s.label !== 'neutral'),
    );
    const { status, stdout } = await runEval(['--data', data, '--model', 'lexicon']);
    assert.equal(status, 0);
    assert.match(stdout, /scored binary \(no neutral rows/);
  });

  it('--binary drops the neutral rows and scores the rest as binary', async () => {
    const data = writeJsonl('mixed.jsonl', UNAMBIGUOUS);
    const { status, stdout } = await runEval(['--data', data, '--model', 'lexicon', '--binary', '--json']);
    assert.equal(status, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.n, UNAMBIGUOUS.filter((s) => s.label !== 'neutral').length);
    assert.equal(report.scoring, 'binary');
    assert.deepEqual(Object.keys(report.confusion), ['negative', 'positive']);
  });

  it('exits 1 with a one-line error when the model cannot load (no silent lexicon fallback)', async () => {
    const data = writeJsonl('one.jsonl', [{ text: 'good', label: 'positive' }]);
    const { status, stderr, stdout } = await runEval(['--data', data, '--model', 'no-such-model', '--json']);
    assert.equal(status, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /^eval: Model no-such-model not found/m);
  });
});

describe('a baseline from the file itself (--baseline-field)', () => {
  // A team's export: gold label beside the polarity TextBlob gave (hand-made numbers, no dataset text).
  const rows = [
    { text: 'a', label: 'positive', textblob_polarity: 0.5 },
    { text: 'b', label: 'positive', textblob_polarity: 0 },
    { text: 'c', label: 'neutral', textblob_polarity: 0 },
    { text: 'd', label: 'neutral', textblob_polarity: 0.05 },
    { text: 'e', label: 'negative', textblob_polarity: -0.4 },
    { text: 'f', label: 'negative', textblob_polarity: 0.2 },
  ];
  const jsonl = rows.map((r) => JSON.stringify(r)).join('\n');
  const parsed = parseLabelledJsonl(jsonl, 'f', 'textblob_polarity');

  it('keeps the field of each row, a number or a label, and names a row without one', () => {
    assert.deepEqual(
      parsed.map((r) => r.baseline),
      [0.5, 0, 0, 0.05, -0.4, 0.2],
    );
    assert.deepEqual(
      parseLabelledJsonl('{"text":"a","label":"positive","s":"neutral"}', 'f', 's')[0].baseline,
      'neutral',
    );
    assert.throws(
      () => parseLabelledJsonl(`${jsonl}\n{"text":"g","label":"neutral"}`, 'f.jsonl', 'textblob_polarity'),
      /f\.jsonl:7: "textblob_polarity" \(--baseline-field\) must be a number \(a polarity\) or one of .*got undefined/,
    );
    assert.throws(
      () => parseLabelledJsonl('{"text":"a","label":"positive","s":"pos"}', 'f.jsonl', 's'),
      /f\.jsonl:1: "s" .*got "pos"/,
    );
  });

  it('reads a polarity as TextBlob users do: 0 neutral (default), a band, or "positive if > 0 else negative"', () => {
    assert.deepEqual(baselinePredictions(parsed, 0), [
      'positive',
      'neutral',
      'neutral',
      'positive',
      'negative',
      'positive',
    ]);
    assert.deepEqual(baselinePredictions(parsed, 0.1), [
      'positive',
      'neutral',
      'neutral',
      'neutral',
      'negative',
      'positive',
    ]);
    assert.deepEqual(baselinePredictions(parsed, 'none'), [
      'positive',
      'negative',
      'negative',
      'positive',
      'negative',
      'positive',
    ]);
    assert.equal(parseNeutralBand(undefined), 0);
    assert.equal(parseNeutralBand('none'), 'none');
    assert.equal(parseNeutralBand('0.05'), 0.05);
    assert.throws(() => parseNeutralBand('-1'), /--baseline-neutral must be a number in \[0, 1\) or "none"/);
    assert.throws(() => parseNeutralBand(''), /--baseline-neutral/);
  });

  it('scores binary rows by the sign and refuses a "neutral" label there', () => {
    const binary = parseLabelledJsonl(
      ['{"text":"a","label":"positive","p":0}', '{"text":"b","label":"negative","p":-0.1}'].join('\n') +
        '\n{"text":"c","label":"positive","p":0.3}',
      'f',
      'p',
    );
    assert.deepEqual(baselinePredictions(binary, 0.5), ['negative', 'negative', 'positive']);
    const report = evaluateColumn(binary, 'p', 0);
    assert.equal(report.scoring, 'binary');
    assert.equal(report.macroRecall, (1 / 2 + 1) / 2);
    const labelled = parseLabelledJsonl('{"text":"a","label":"positive","s":"neutral"}', 'f', 's');
    assert.throws(
      () => baselinePredictions(labelled, 0),
      /row 1: the baseline says neutral, but the rows are scored binary/,
    );
  });

  it('reports the column with the same metrics as a model, on the same rows', () => {
    const report = evaluateColumn(parsed, 'textblob_polarity', 0);
    assert.equal(report.model, 'textblob_polarity');
    assert.equal(report.method, 'file column');
    assert.equal(report.n, 6);
    // positive 1/2, neutral 1/2 (d is read positive), negative 1/2.
    assert.equal(report.macroRecall, 0.5);
    assert.deepEqual(report.confusion.negative, { negative: 1, neutral: 0, positive: 1 });
    assert.equal(report.textsPerSecond, undefined);
    assert.match(report.rule ?? '', /neutral if within ±0, else by sign/);
  });

  it('npm run eval prints the model and the column side by side (text and --json)', async () => {
    const data = writeJsonl('textblob.jsonl', [
      ...UNAMBIGUOUS.map((s) => ({ ...s, textblob_polarity: 0 })), // all read as neutral
    ]);
    const json = await runEval([
      '--data',
      data,
      '--model',
      'lexicon',
      '--baseline-field',
      'textblob_polarity',
      '--baseline-neutral',
      'none',
      '--json',
    ]);
    assert.equal(json.status, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.method, 'lexicon');
    assert.equal(report.columnBaseline.model, 'textblob_polarity');
    assert.equal(report.columnBaseline.n, report.n);
    const negatives = UNAMBIGUOUS.filter((s) => s.label === 'negative').length;
    // "positive if > 0 else negative" with every polarity 0: all negative, so only the negative rows are right.
    assert.equal(report.columnBaseline.accuracy, negatives / UNAMBIGUOUS.length);
    assert.equal(report.columnBaseline.macroRecall, 1 / 3);

    const text = await runEval(['--data', data, '--model', 'lexicon', '--baseline-field', 'textblob_polarity']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /\nlexicon-afinn-165 \(lexicon\)\n/);
    assert.match(
      text.stdout,
      /\ntextblob_polarity \(file column: .*neutral if within ±0, else by sign\)\n {2}accuracy/,
    );
  });

  it('exits 2 for a bad column value or --baseline-neutral without --baseline-field', async () => {
    const data = writeJsonl('bad-baseline.jsonl', [{ text: 'good', label: 'positive', tb: 'pos' }]);
    const bad = await runEval(['--data', data, '--model', 'lexicon', '--baseline-field', 'tb']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /bad-baseline\.jsonl:1: "tb" \(--baseline-field\) must be/);
    const lone = await runEval(['--data', data, '--model', 'lexicon', '--baseline-neutral', '0']);
    assert.equal(lone.status, 2);
    assert.match(lone.stderr, /--baseline-neutral goes with --baseline-field/);
  });
});
