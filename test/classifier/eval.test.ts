import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { evaluate, parseLabelledJsonl } from '../../src/cli/eval.js';
import { sentimentFromProbabilities, type Classifier, type Probabilities } from '../../src/domain/sentiment.js';
import { UNAMBIGUOUS } from '../fixtures/sentences.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eval-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeJsonl(name: string, rows: readonly object[]): string {
  const file = join(dir, name);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

function runEval(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/eval.ts', ...args], { cwd: repoRoot, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ status: error ? Number(error.code) : 0, stdout, stderr }),
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
    assert.throws(() => parseLabelledJsonl('{"text":"a","label":"positive"}\n{oops', 'f.jsonl'), /f\.jsonl:2: not valid JSON/);
    assert.throws(() => parseLabelledJsonl('{"text":"a","label":"joy"}', 'f.jsonl'), /f\.jsonl:1: "label" must be one of/);
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
    assert.deepEqual(report.confusion, { negative: { negative: 1, positive: 1 }, positive: { negative: 0, positive: 1 } });
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

describe('npm run eval --json', () => {
  it('prints exactly one JSON object with the metrics, and the baseline under the same keys', async () => {
    const data = writeJsonl('three.jsonl', UNAMBIGUOUS);
    const { status, stdout, stderr } = await runEval(['--data', data, '--model', 'lexicon', '--baseline', 'lexicon', '--json']);
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

  it('says when it scores binary data', async () => {
    const data = writeJsonl('binary.jsonl', UNAMBIGUOUS.filter((s) => s.label !== 'neutral'));
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
