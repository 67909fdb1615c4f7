// Entry point for everything that needs sentiment: handlers, CLIs, tests.
//
// getClassifier() loads the transformer model once per process (Lambda keeps the process warm across
// invocations, so the cost is paid on cold start only) and shares it. If the model cannot load, it falls
// back to the AFINN lexicon and says so loudly: results carry method "lexicon" so they can be told apart.
import { loadConfig, type Config } from '../config.js';
import type { Classifier } from '../domain/sentiment.js';
import { logger } from '../observability.js';
import { withRouting, type ScoringClassifier } from './routing.js';
import { errorMessage } from '../errors.js';

export type { Classifier, Sentiment, SentimentFlags, Label, Probabilities } from '../domain/sentiment.js';

/** One classifier per distinct model configuration; in production there is exactly one. */
const classifiers = new Map<string, Promise<Classifier>>();

function cacheKey(config: Config): string {
  const { id, dir, dtype, threads, binaryNeutralMargin } = config.model;
  return JSON.stringify([
    id,
    dir,
    dtype,
    threads,
    binaryNeutralMargin,
    config.scoreUnsupportedLanguages,
    config.multilingualModelIds,
  ]);
}

export function getClassifier(config: Config = loadConfig()): Promise<Classifier> {
  const key = cacheKey(config);
  let classifier = classifiers.get(key);
  if (!classifier) {
    // The routed models (MULTILINGUAL_MODEL_ID's list) are loaded by the router, lazily, with the same fallback.
    classifier = loadWithFallback(config).then((english) => withRouting(config, english, loadWithFallback));
    classifiers.set(key, classifier);
  }
  return classifier;
}

async function loadWithFallback(config: Config): Promise<ScoringClassifier> {
  try {
    // Imported lazily so the lexicon path never pays for loading onnxruntime.
    const began = performance.now();
    const { loadTransformerClassifier } = await import('./transformer.js');
    const classifier = await loadTransformerClassifier(config);
    logger.debug('Transformer model loaded', {
      modelId: config.model.id,
      dtype: config.model.dtype,
      loadMs: Math.round(performance.now() - began),
    });
    return classifier;
  } catch (error) {
    logFallback(config, error);
    // Imported here, not with this module: the AFINN tables cost a cold start that loads the model nothing.
    const { LexiconClassifier } = await import('./lexicon.js');
    return new LexiconClassifier({ scoreUnsupportedLanguages: config.scoreUnsupportedLanguages });
  }
}

function logFallback(config: Config, error: unknown): void {
  // ERROR level (stderr, alarmable): every result until the next cold start is a lower-accuracy lexicon score.
  logger.error('Transformer model failed to load; FALLING BACK TO LEXICON classifier (lower accuracy)', {
    modelId: config.model.id,
    modelDir: config.model.dir,
    dtype: config.model.dtype,
    error: errorMessage(error),
  });
}
