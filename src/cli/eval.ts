// npm run eval -- --data FILE.jsonl [--model ID|lexicon] [--multilingual ID,ID|none] [--dtype q8|fp32]
//   [--baseline lexicon] [--baseline-field FIELD [--baseline-neutral T|none]] [--json]
// Scores a labelled JSONL file ({"text", "label"[, "language"]} per line) and prints accuracy, macro recall
// (TweetEval's official metric), macro F1, per-class scores, the confusion matrix and throughput, and per gold
// language what the detector said and how each language scored. Posts are routed by language as in production
// (each language to the first routed model covering it). Files without neutral rows are scored as binary: the
// neutral probability is folded away (positive iff P(pos) >= P(neg)). --baseline-field scores a column of the file
// itself (e.g. the TextBlob polarity a team stored) beside the model, on the same rows.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig, type Config } from '../config.js';
import { LexiconClassifier } from '../classifier/lexicon.js';
import { withRouting } from '../classifier/routing.js';
import type { Classifier } from '../domain/sentiment.js';
import { evaluate, parseLabelledJsonl, type EvalReport, type LabelledText } from '../evaluation/evaluate.js';
import { evaluateColumn, parseNeutralBand } from '../evaluation/column-baseline.js';
import { withModel } from './classify.js';
import { UsageError } from '../errors.js';
import { runCli } from './run.js';

const USAGE =
  'usage: npm run eval -- --data FILE.jsonl [--model ID|lexicon] [--multilingual ID,ID|none] [--dtype q8|fp32] ' +
  `[--baseline lexicon] [--baseline-field FIELD [--baseline-neutral T|none]] [--binary] [--json]
  --data      JSONL, one {"text": "...", "label": "negative|neutral|positive", "language": "fra"} per line
              ("language" optional, ISO 639-3 or 639-1; a file without neutral rows is scored binary:
              neutral folded, positive iff P(pos) >= P(neg))
  --binary    drop the neutral rows first and score binary (e.g. SST-2 from the 3-class SST files)
  --model     model directory name under MODEL_DIR (default: $MODEL_ID), or "lexicon"
  --multilingual  the routed models, comma-separated in priority order: each language goes to the first that
              covers it (default: $MULTILINGUAL_MODEL_ID, else resources.json's list), or "none"
  --dtype     q8 (default) or fp32
  --baseline  lexicon: also evaluate the AFINN lexicon on the same data
  --baseline-field  also score a field of each row, e.g. {"text", "label", "textblob_polarity": 0.35}: a label
              (negative|neutral|positive) or a number (a polarity in [-1, 1])
  --baseline-neutral  how a number becomes a label: T (default 0) = neutral within ±T, else by sign;
              none = "positive if > 0 else negative" (no neutral). Without neutral rows: positive iff > 0
  --json      exactly one JSON object on stdout (logs go to stderr)`;

async function loadModel(config: Config): Promise<Classifier & { method: string }> {
  if (config.model.id === 'lexicon') return new LexiconClassifier();
  // No silent lexicon fallback here: an evaluation of the wrong classifier is worse than none.
  const { loadTransformerClassifier } = await import('../classifier/transformer.js');
  return withRouting(config, await loadTransformerClassifier(config), loadTransformerClassifier);
}

async function run(
  classifier: Classifier & { method: string },
  rows: LabelledText[],
  dtype: string | undefined,
  showProgress: boolean,
): Promise<EvalReport> {
  const bar = showProgress
    ? new SingleBar(
        { format: `${classifier.modelId} [{bar}] {value}/{total} texts`, stream: process.stderr },
        Presets.shades_classic,
      )
    : undefined;
  bar?.start(rows.length, 0);
  try {
    const result = await evaluate(classifier, rows, (done) => bar?.update(done));
    return { model: classifier.modelId, method: classifier.method, ...(dtype ? { dtype } : {}), ...result };
  } finally {
    bar?.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      model: { type: 'string' },
      multilingual: { type: 'string' },
      dtype: { type: 'string' },
      baseline: { type: 'string' },
      'baseline-field': { type: 'string' },
      'baseline-neutral': { type: 'string' },
      json: { type: 'boolean' },
      binary: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return (console.log(USAGE), 0);
  if (!values.data) return (console.error(USAGE), 2);
  if (values.baseline !== undefined && values.baseline !== 'lexicon')
    return (console.error(`--baseline must be lexicon\n${USAGE}`), 2);
  const baselineField = values['baseline-field'];
  if (values['baseline-neutral'] !== undefined && baselineField === undefined)
    throw new UsageError('--baseline-neutral goes with --baseline-field');
  const band = parseNeutralBand(values['baseline-neutral']);
  // Every row is scored, whatever its language: the metric is over the whole file.
  const base = loadConfig(
    values.multilingual === undefined ? process.env : { ...process.env, MULTILINGUAL_MODEL_ID: values.multilingual },
  );
  const config = { ...withModel(base, values.model, values.dtype), scoreUnsupportedLanguages: true };
  const allRows = parseLabelledJsonl(await readFile(values.data, 'utf8'), values.data, baselineField);
  const rows = values.binary ? allRows.filter((r) => r.label !== 'neutral') : allRows;
  if (rows.length === 0) throw new UsageError(`${values.data}: no rows left after dropping neutral ones`);
  if (values.binary)
    console.error(`--binary: dropped ${allRows.length - rows.length} neutral rows of ${allRows.length}`);
  const showProgress = process.stderr.isTTY === true;
  // Read before the model loads: a bad value is a usage error at once.
  const columnBaseline = baselineField === undefined ? undefined : evaluateColumn(rows, baselineField, band);

  const classifier = await loadModel(config);
  const report = await run(
    classifier,
    rows,
    classifier.method === 'transformer' ? config.model.dtype : undefined,
    showProgress,
  );
  if (values.baseline === 'lexicon')
    report.baseline = await run(new LexiconClassifier(), rows, undefined, showProgress);
  if (columnBaseline) report.columnBaseline = columnBaseline;

  if (values.json) console.log(JSON.stringify(report));
  else printReport(values.data, report);
  return 0;
}

function printReport(source: string, report: EvalReport): void {
  console.log(
    `data ${source}: ${report.n} texts, scored ${report.scoring}` +
      (report.scoring === 'binary'
        ? ' (no neutral rows: neutral probability folded, positive iff P(pos) >= P(neg))'
        : ''),
  );
  for (const r of [report, report.baseline, report.columnBaseline]) if (r) printOne(r);
}

function printOne(r: EvalReport): void {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);
  const labels = Object.keys(r.perClass);
  console.log(`\n${r.model} (${r.method}${r.dtype ? `, ${r.dtype}` : ''}${r.rule ? `: ${r.rule}` : ''})`);
  console.log(`  accuracy      ${pct(r.accuracy)}`);
  console.log(`  macro recall  ${pct(r.macroRecall)}   (TweetEval's official metric)`);
  console.log(`  macro F1      ${pct(r.macroF1)}`);
  if (r.textsPerSecond !== undefined) console.log(`  speed         ${r.textsPerSecond.toFixed(1)} texts/s`);
  console.log(`\n  class        recall  precision       F1  support`);
  for (const l of labels) {
    const c = r.perClass[l];
    console.log(
      `  ${l.padEnd(10)} ${pct(c.recall)}    ${pct(c.precision)}  ${pct(c.f1)}  ${String(c.support).padStart(7)}`,
    );
  }
  console.log(
    `\n  confusion (rows gold, columns predicted)\n  ${''.padEnd(10)} ${labels.map((l) => l.padStart(9)).join('')}`,
  );
  for (const g of labels)
    console.log(`  ${g.padEnd(10)} ${labels.map((p) => String(r.confusion[g][p]).padStart(9)).join('')}`);
  printLanguages(r);
}

/** The language table: per gold language (when the file has them), then what was detected and who scored. */
function printLanguages(r: EvalReport): void {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);
  const top = (counts: Record<string, number>, n: number) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([code, count]) => `${code} ${count}`)
      .join(', ');
  const gold = Object.entries(r.byLanguage);
  // A file column detected nothing: per gold language it has only its scores.
  const detects = r.textsPerSecond !== undefined;
  if (gold.length > 0) {
    console.log(`\n  language        n  macro recall  accuracy${detects ? '  detected as right  detected as' : ''}`);
    for (const [language, m] of gold) {
      const right = (m.detectedAs[language] ?? 0) / m.n;
      console.log(
        `  ${language.padEnd(8)} ${String(m.n).padStart(6)}       ${pct(m.macroRecall)}   ${pct(m.accuracy)}` +
          (detects ? `            ${pct(right)}  ${top(m.detectedAs, 4)}` : ''),
      );
    }
  }
  if (!detects) return;
  console.log(`\n  detected languages  ${top(r.detectedLanguages, 12)}`);
  console.log(`  scored by           ${top(r.byModel, 4)}`);
}

runCli(import.meta.url, 'eval', main, { usage: USAGE });
