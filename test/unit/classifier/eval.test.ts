import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { evaluate, parseLabelledJsonl } from '../../../src/evaluation/evaluate.js';
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
    assert.ok(report.textsPerSecond > 0);
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

  it('reports the audience languages (issue #24) in byLanguage, routed to the multilingual model', async () => {
    // Hand-written posts, one gold language each; Roman Urdu's gold language is Urdu, as in the audience files.
    const rows = [
      { text: 'Bugün hava çok güzel, herkese iyi hafta sonları', label: 'positive', language: 'tur' },
      { text: 'Bu ne rezalet ya, hiç beğenmedim', label: 'negative', language: 'tur' },
      { text: 'یہ بہت اچھی کتاب ہے اور میں نے اسے پڑھا', label: 'positive', language: 'urd' },
      { text: 'Mujhe yeh service bilkul pasand nahi aayi, paisay zaya ho gaye', label: 'negative', language: 'urd' },
      { text: 'Makanannya enak banget, harganya juga murah', label: 'positive', language: 'ind' },
      { text: 'Kerajaan perlu ambil tindakan segera, rakyat dah penat', label: 'negative', language: 'msa' },
      { text: 'What a wonderful day, thank you all so much!', label: 'positive', language: 'eng' },
    ];
    const data = writeJsonl('audience.jsonl', rows);
    const json = await runEval(['--data', data, '--json']);
    assert.equal(json.status, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(report.byLanguage).sort(), ['eng', 'ind', 'msa', 'tur', 'urd']);
    assert.deepEqual(report.byLanguage.urd.detectedAs, { urd: 2 });
    assert.deepEqual(report.byLanguage.tur.detectedAs, { tur: 2 });
    assert.deepEqual(report.byLanguage.ind.detectedAs, { ind: 1 });
    assert.deepEqual(report.byLanguage.msa.detectedAs, { msa: 1 });
    assert.deepEqual(report.byModel, { [DEFAULT_MODEL.multilingualId]: 6, [DEFAULT_MODEL.id]: 1 });
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
