// Routing by language with the shipped models: German, French, Italian, Portuguese and Spanish go to
// multilingual-v1, Turkish to the Turkish n-gram model, Urdu (both scripts) to the Urdu n-gram model, Indonesian
// and Malay to their model, Arabic and Hindi to multilingual-v2, English and undetermined ones to the English model,
// one call per model per batch; each routed model loads lazily, once; a list of routed models gives each language
// to the first that covers it; MULTILINGUAL_MODEL_ID is that list ('none' = routing off) and an unreadable or
// unloadable routed model keeps the English path.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { getClassifier } from '../../../src/classifier/index.js';
import { modelLanguages, RoutingClassifier, type TextScoringModel } from '../../../src/classifier/routing.js';
import { loadTransformerClassifier, type TransformerClassifier } from '../../../src/classifier/transformer.js';
import { loadConfig, parseMultilingualModelIds } from '../../../src/config.js';
import { logger } from '../../../src/observability.js';
import { DEFAULT_MODEL } from '../../../src/resources.js';

const ENGLISH = DEFAULT_MODEL.id;
/**
 * The routed models as shipped, in priority order: v1 for the five XLM-T languages it scores better, the n-gram
 * models for Turkish and for Urdu, the Indonesian and Malay model, then v2.
 */
const [V1, TUR_NGRAM, URD_NGRAM, IND_MSA, V2] = DEFAULT_MODEL.multilingualIds;
/** The model covering Arabic and the audience languages. */
const MULTILINGUAL = V2;
// Hand-written posts (never dataset text).
const MIXED = [
  'هذا المنتج رائع جدا وأنصح به الجميع', // Arabic
  'Je suis vraiment déçu par ce service, jamais plus', // French
  'What a wonderful day, thank you all so much!', // English
  'ok 👍', // undetermined
  'Сегодня отличная погода, пойдём гулять', // Russian: neither model's
];
/** The audience languages of issue #24, one post each (hand-written), and what the detector names them. */
const AUDIENCE: Array<[string, string]> = [
  ['Bugün hava çok güzel, dışarı çıkalım mı', 'tur'],
  ['یہ بہت اچھی کتاب ہے اور میں نے اسے پڑھا', 'urd'],
  ['Yeh khana bohat mazedar tha, dobara zaroor aayenge', 'urd'],
  ['Makanannya enak banget, harganya juga murah', 'ind'],
  ['Kerajaan perlu ambil tindakan segera, rakyat dah penat', 'msa'],
];

const config = loadConfig({ ORT_THREADS: '1' });

/** A model whose score() calls are counted. */
function counted(model: TransformerClassifier): { model: TextScoringModel; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    model: {
      modelId: model.modelId,
      method: model.method,
      maxChars: model.maxChars,
      score: (texts) => (calls.push(texts), model.score(texts)),
    },
  };
}

describe('RoutingClassifier with the shipped models', () => {
  let english: TransformerClassifier;
  let multilingual: TransformerClassifier;
  before(async () => {
    english = await loadTransformerClassifier(config);
    multilingual = await loadTransformerClassifier({ ...config, model: { ...config.model, id: MULTILINGUAL } });
  });

  function router(scoreUnsupportedLanguages = true) {
    const en = counted(english);
    const ml = counted(multilingual);
    let loads = 0;
    const classifier = new RoutingClassifier({
      english: en.model,
      routed: [{ id: MULTILINGUAL, languages: new Set(['ara', 'fra']), load: async () => (loads++, ml.model) }],
      scoreUnsupportedLanguages,
    });
    return { classifier, en, ml, loads: () => loads };
  }

  it('sends Arabic and French to the multilingual model and the rest to the English model, one call each', async () => {
    const { classifier, en, ml, loads } = router();
    const results = await classifier.classify(MIXED);
    assert.deepEqual(
      results.map((r) => r.modelId),
      [MULTILINGUAL, MULTILINGUAL, ENGLISH, ENGLISH, ENGLISH],
    );
    assert.deepEqual(
      results.map((r) => r.flags.language),
      ['ara', 'fra', 'eng', 'und', 'rus'],
    );
    assert.deepEqual(
      results.map((r) => r.flags.unsupportedLanguage ?? false),
      [false, false, false, false, true],
    );
    assert.deepEqual(ml.calls, [[MIXED[0], MIXED[1]]]);
    assert.deepEqual(en.calls, [[MIXED[2], MIXED[3], MIXED[4]]]);
    // The multilingual model's own scores (to int8 rounding: dynamic quantisation scales by the whole batch).
    const [alone] = await multilingual.classify([MIXED[0]]);
    for (const label of ['negative', 'neutral', 'positive'] as const) {
      assert.ok(Math.abs(results[0].probabilities[label] - alone.probabilities[label]) < 0.01, label);
    }
    await classifier.classify(MIXED);
    assert.equal(loads(), 1, 'loaded once');
  });

  it('does not load the multilingual model for English-only batches', async () => {
    const { classifier, ml, loads } = router();
    const results = await classifier.classify([MIXED[2], MIXED[3], 'Meeting at noon']);
    assert.ok(results.every((r) => r.modelId === ENGLISH));
    assert.equal(loads(), 0);
    assert.deepEqual(ml.calls, []);
  });

  it('skips only the languages neither model covers when SCORE_UNSUPPORTED_LANGUAGES is false', async () => {
    const { classifier } = router(false);
    const results = await classifier.classify(MIXED);
    assert.deepEqual(
      results.map((r) => r.flags.skipped ?? false),
      [false, false, false, false, true],
    );
    assert.deepEqual(results[4].probabilities, { negative: 0, neutral: 1, positive: 0 });
  });

  it('reads the covered languages from the model folders', async () => {
    assert.deepEqual([...(await modelLanguages(config, V1))].sort(), ['deu', 'fra', 'ita', 'por', 'spa']);
    assert.deepEqual([...(await modelLanguages(config, TUR_NGRAM))], ['tur']);
    assert.deepEqual([...(await modelLanguages(config, URD_NGRAM))], ['urd']);
    assert.deepEqual([...(await modelLanguages(config, IND_MSA))], ['ind', 'msa']);
    assert.deepEqual([...(await modelLanguages(config, MULTILINGUAL))].sort(), [
      'ara',
      'deu',
      'fra',
      'hin',
      'ind',
      'ita',
      'msa',
      'por',
      'spa',
      'tur',
      'urd',
    ]);
  });

  it('routes the audience languages to the shipped multilingual model by its config.json, in one call', async () => {
    const ml = counted(multilingual);
    const en = counted(english);
    const classifier = new RoutingClassifier({
      english: en.model,
      routed: [{ id: MULTILINGUAL, languages: await modelLanguages(config, MULTILINGUAL), load: async () => ml.model }],
      scoreUnsupportedLanguages: true,
    });
    const texts = [...AUDIENCE.map(([text]) => text), MIXED[2]];
    const results = await classifier.classify(texts);
    assert.deepEqual(
      results.map((r) => r.flags.language),
      [...AUDIENCE.map(([, language]) => language), 'eng'],
    );
    assert.deepEqual(
      results.map((r) => r.modelId),
      [...AUDIENCE.map(() => MULTILINGUAL), ENGLISH],
    );
    assert.ok(results.every((r) => !r.flags.unsupportedLanguage));
    assert.deepEqual(ml.calls, [texts.slice(0, AUDIENCE.length)]);
    assert.deepEqual(en.calls, [[MIXED[2]]]);
  });
});

describe('the shipped routed models: v1 for deu fra ita por spa, then tur, urd, ind+msa, v2 for the rest', () => {
  const GERMAN = 'Das Essen war wirklich schrecklich, wir kommen nie wieder';
  let english: TransformerClassifier;
  const shipped = new Map<string, TransformerClassifier>();
  before(async () => {
    english = await loadTransformerClassifier(config);
    for (const id of [V1, TUR_NGRAM, URD_NGRAM, IND_MSA, V2])
      shipped.set(id, await loadTransformerClassifier({ ...config, model: { ...config.model, id } }));
  });

  /** The router getClassifier builds from the shipped folders, with each model's calls and loads counted. */
  async function shippedRouter() {
    const en = counted(english);
    const models = Object.fromEntries([...shipped].map(([id, model]) => [id, counted(model)]));
    const loads: string[] = [];
    const classifier = new RoutingClassifier({
      english: en.model,
      routed: await Promise.all(
        [V1, TUR_NGRAM, URD_NGRAM, IND_MSA, V2].map(async (id) => ({
          id,
          languages: await modelLanguages(config, id),
          load: async () => (loads.push(id), models[id].model),
        })),
      ),
      scoreUnsupportedLanguages: true,
    });
    const [v1, ngram, urdu, malay, v2] = [V1, TUR_NGRAM, URD_NGRAM, IND_MSA, V2].map((id) => models[id]);
    return { classifier, en, v1, ngram, urdu, malay, v2, loads };
  }

  it('getClassifier routes by the default list: five to v1, tur, urd, ind+msa to theirs, the rest to v2', async () => {
    const classifier = await getClassifier(config);
    assert.ok(classifier instanceof RoutingClassifier);
    const routed = classifier.routedLanguages;
    for (const language of ['deu', 'fra', 'ita', 'por', 'spa']) assert.equal(routed.get(language), V1, language);
    assert.equal(routed.get('tur'), TUR_NGRAM);
    assert.equal(routed.get('urd'), URD_NGRAM);
    for (const language of ['ind', 'msa']) assert.equal(routed.get(language), IND_MSA, language);
    for (const language of ['ara', 'hin']) assert.equal(routed.get(language), V2, language);
    assert.equal(routed.get('eng'), undefined);
  });

  it('each language to its model (English to English), one call per model, each loaded once', async () => {
    const { classifier, en, v1: first, ngram, urdu, malay, v2: second, loads } = await shippedRouter();
    const texts = [GERMAN, MIXED[0], MIXED[2], AUDIENCE[0][0], MIXED[1], AUDIENCE[1][0], AUDIENCE[2][0]];
    texts.push(AUDIENCE[3][0], AUDIENCE[4][0]);
    const results = await classifier.classify(texts);
    assert.deepEqual(
      results.map((r) => [r.flags.language, r.modelId]),
      [
        ['deu', V1],
        ['ara', V2],
        ['eng', ENGLISH],
        ['tur', TUR_NGRAM],
        ['fra', V1],
        ['urd', URD_NGRAM],
        ['urd', URD_NGRAM],
        ['ind', IND_MSA],
        ['msa', IND_MSA],
      ],
    );
    assert.deepEqual(first.calls, [[GERMAN, MIXED[1]]]);
    assert.deepEqual(ngram.calls, [[AUDIENCE[0][0]]]);
    assert.deepEqual(urdu.calls, [[AUDIENCE[1][0], AUDIENCE[2][0]]]);
    assert.deepEqual(malay.calls, [[AUDIENCE[3][0], AUDIENCE[4][0]]]);
    assert.deepEqual(second.calls, [[MIXED[0]]]);
    assert.deepEqual(en.calls, [[MIXED[2]]]);
    // v1's own scores for the German post (to int8 rounding).
    const [alone] = await shipped.get(V1)!.classify([GERMAN]);
    for (const label of ['negative', 'neutral', 'positive'] as const)
      assert.ok(Math.abs(results[0].probabilities[label] - alone.probabilities[label]) < 0.01, label);
    await classifier.classify(texts);
    assert.deepEqual(loads.sort(), [V1, TUR_NGRAM, URD_NGRAM, IND_MSA, V2].sort(), 'each loaded once');
  });

  it('loads no routed model for English-only traffic', async () => {
    const { classifier, v1: first, ngram, urdu, malay, v2: second, loads } = await shippedRouter();
    const results = await classifier.classify([MIXED[2], MIXED[3], 'Meeting at noon']);
    assert.ok(results.every((r) => r.modelId === ENGLISH));
    assert.deepEqual(loads, []);
    for (const model of [first, ngram, urdu, malay, second]) assert.deepEqual(model.calls, []);
  });

  it('loads only v2 for a batch in Arabic, and only the model of the language for Turkish, Urdu or Malay', async () => {
    const arabic = await shippedRouter();
    await arabic.classifier.classify([MIXED[0], MIXED[2]]);
    assert.deepEqual(arabic.loads, [V2]);
    const turkish = await shippedRouter();
    await turkish.classifier.classify([AUDIENCE[0][0], MIXED[2]]);
    assert.deepEqual(turkish.loads, [TUR_NGRAM]);
    const urdu = await shippedRouter();
    await urdu.classifier.classify([AUDIENCE[2][0], MIXED[2]]);
    assert.deepEqual(urdu.loads, [URD_NGRAM]);
    const malay = await shippedRouter();
    await malay.classifier.classify([AUDIENCE[4][0], MIXED[2]]);
    assert.deepEqual(malay.loads, [IND_MSA]);
  });
});

describe('RoutingClassifier with several routed models', () => {
  /** A stand-in model: every text positive, its calls counted. */
  function fake(modelId: string) {
    const calls: string[][] = [];
    let loads = 0;
    const model: TextScoringModel = {
      modelId,
      method: 'transformer',
      maxChars: 1000,
      score: async (texts) => (
        calls.push(texts),
        texts.map(() => ({ probabilities: { negative: 0.1, neutral: 0.2, positive: 0.7 }, truncated: false }))
      ),
    };
    return { calls, loads: () => loads, model, load: async () => (loads++, model) };
  }

  it('gives each language to the first model covering it, one call per model, loaded once when needed', async () => {
    const en = fake('english');
    const first = fake('first');
    const second = fake('second');
    const unused = fake('unused');
    const classifier = new RoutingClassifier({
      english: en.model,
      routed: [
        { id: 'first', languages: new Set(['ara', 'tur']), load: first.load },
        { id: 'second', languages: new Set(['tur', 'fra']), load: second.load },
        { id: 'unused', languages: new Set(['deu']), load: unused.load },
      ],
      scoreUnsupportedLanguages: true,
    });
    assert.deepEqual(
      [...classifier.routedLanguages],
      [
        ['ara', 'first'],
        ['tur', 'first'],
        ['fra', 'second'],
        ['deu', 'unused'],
      ],
    );
    const texts = [MIXED[1], AUDIENCE[0][0], MIXED[0], MIXED[2], MIXED[1]];
    const results = await classifier.classify(texts);
    assert.deepEqual(
      results.map((r) => r.modelId),
      ['second', 'first', 'first', 'english', 'second'],
    );
    assert.deepEqual(first.calls, [[AUDIENCE[0][0], MIXED[0]]]);
    assert.deepEqual(second.calls, [[MIXED[1], MIXED[1]]]);
    assert.deepEqual(en.calls, [[MIXED[2]]]);
    await classifier.classify(texts);
    assert.deepEqual([first.loads(), second.loads(), unused.loads()], [1, 1, 0]);
  });
});

describe('getClassifier routing configuration', () => {
  const root = mkdtempSync(join(tmpdir(), 'routing-models-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  before(() => {
    symlinkSync(join(config.model.dir, ENGLISH), join(root, ENGLISH));
    // Languages listed, but no ONNX file: the multilingual model cannot load.
    mkdirSync(join(root, 'broken-multilingual'));
    cpSync(join(config.model.dir, MULTILINGUAL, 'config.json'), join(root, 'broken-multilingual', 'config.json'));
    mkdirSync(join(root, 'no-languages'));
    writeFileSync(
      join(root, 'no-languages', 'config.json'),
      JSON.stringify({ id2label: { 0: 'negative', 1: 'neutral', 2: 'positive' } }),
    );
  });
  const configWith = (multilingual: string) =>
    loadConfig({ MODEL_DIR: root, ORT_THREADS: '1', MULTILINGUAL_MODEL_ID: multilingual });

  it('MULTILINGUAL_MODEL_ID=none: every post goes to the English model, non-English flagged unsupported', async () => {
    assert.deepEqual(loadConfig({ MULTILINGUAL_MODEL_ID: 'none' }).multilingualModelIds, []);
    const classifier = await getClassifier(configWith('none'));
    assert.ok(!(classifier instanceof RoutingClassifier));
    const results = await classifier.classify(MIXED.slice(0, 3));
    assert.deepEqual(
      results.map((r) => r.modelId),
      [ENGLISH, ENGLISH, ENGLISH],
    );
    assert.deepEqual(
      results.map((r) => r.flags.unsupportedLanguage ?? false),
      [true, true, false],
    );
  });

  it('falls back to the lexicon for routed posts when the multilingual model cannot load, loudly, once', async () => {
    const errors = mock.method(logger, 'error', () => {});
    try {
      const classifier = await getClassifier(configWith('broken-multilingual'));
      assert.ok(classifier instanceof RoutingClassifier);
      const first = await classifier.classify(MIXED.slice(0, 3));
      await classifier.classify(MIXED.slice(0, 1));
      assert.deepEqual(
        first.map((r) => [r.modelId, r.method]),
        [
          ['lexicon-afinn-165', 'lexicon'],
          ['lexicon-afinn-165', 'lexicon'],
          [ENGLISH, 'transformer'],
        ],
      );
      assert.equal(errors.mock.calls.length, 1);
      assert.match(String(errors.mock.calls[0].arguments[0]), /FALLING BACK TO LEXICON/);
    } finally {
      errors.mock.restore();
    }
  });

  it('turns routing off, with an error, when the only routed model does not list its languages', async () => {
    const errors = mock.method(logger, 'error', () => {});
    try {
      const classifier = await getClassifier(configWith('no-languages'));
      assert.ok(!(classifier instanceof RoutingClassifier));
      assert.equal(errors.mock.calls.length, 1);
      assert.match(String(errors.mock.calls[0].arguments[0]), /Routed model unreadable/);
    } finally {
      errors.mock.restore();
    }
  });

  it('keeps routing to the readable models when one in the list does not list its languages', async () => {
    const errors = mock.method(logger, 'error', () => {});
    try {
      const classifier = await getClassifier(configWith('no-languages,broken-multilingual'));
      assert.ok(classifier instanceof RoutingClassifier);
      assert.equal(classifier.routedLanguages.get('ara'), 'broken-multilingual');
      assert.equal(errors.mock.calls.length, 1);
      assert.equal((errors.mock.calls[0].arguments[1] as { modelId: string }).modelId, 'no-languages');
    } finally {
      errors.mock.restore();
    }
  });
});

describe('MULTILINGUAL_MODEL_ID: the routed models, in priority order', () => {
  it("defaults to resources.json's list (unset, empty or blank): v1, the tur, urd and ind+msa models, v2", () => {
    assert.deepEqual(DEFAULT_MODEL.multilingualIds, [
      'impact-sentiment-multilingual-v1',
      'impact-sentiment-tur-ngram-v1',
      'impact-sentiment-urd-ngram-v1',
      'impact-sentiment-ind-msa-v2',
      'impact-sentiment-multilingual-v2',
    ]);
    for (const value of [undefined, '', '   '])
      assert.deepEqual(
        loadConfig({ MULTILINGUAL_MODEL_ID: value }).multilingualModelIds,
        [V1, TUR_NGRAM, URD_NGRAM, IND_MSA, V2],
        String(value),
      );
  });

  it('reads a comma-separated list, trimmed, in its order; none is routing off', () => {
    assert.deepEqual(parseMultilingualModelIds(' b-2 , a_1 '), ['b-2', 'a_1']);
    assert.deepEqual(parseMultilingualModelIds('only'), ['only']);
    assert.deepEqual(parseMultilingualModelIds(' none '), []);
  });

  it('refuses duplicates, empty items, none in a list and ids that are not folder names, naming the setting', () => {
    assert.throws(() => loadConfig({ MULTILINGUAL_MODEL_ID: 'a,b,a' }), /MULTILINGUAL_MODEL_ID lists "a" twice/);
    assert.throws(() => loadConfig({ MULTILINGUAL_MODEL_ID: 'a,,b' }), /MULTILINGUAL_MODEL_ID must be "none" or a/);
    assert.throws(() => loadConfig({ MULTILINGUAL_MODEL_ID: 'a,none' }), /bad id "none"/);
    assert.throws(() => loadConfig({ MULTILINGUAL_MODEL_ID: 'a b' }), /bad id "a b"/);
    assert.throws(() => parseMultilingualModelIds('x,x', '--multilingual'), /--multilingual lists "x" twice/);
  });
});
