// Routing by language: posts detected in a language a routed model covers (its config.json `languages`) go to it,
// everything else (English, undetermined, languages no model covers) to the English model. One classify() call
// detects each post's language once and calls each model at most once, with all of its posts.
//
// The routed models are MULTILINGUAL_MODEL_ID's list, in priority order: the first model covering a language scores
// it (today multilingual-v1 for deu fra ita por spa, where it scores higher, and multilingual-v2 for the rest).
// Each routed model is loaded on the first batch that has a post for it, once per process: an English-only
// workload never pays for it (cold start), and a mixed one pays once per model it needs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Classifier, Sentiment, SentimentFlags } from '../domain/sentiment.js';
import { logger } from '../observability.js';
import { PartialScoringError, classifyBatch, type ScoredText } from './batch.js';
import { identifyLanguage, SUPPORTED_LANGUAGES } from './language.js';
import { errorMessage } from '../errors.js';

/** What a router needs of a model: its id, how it scores prepared texts, how much of a text it reads. */
export interface TextScoringModel {
  readonly modelId: string;
  readonly method: Sentiment['method'];
  readonly maxChars: number;
  score(texts: string[]): Promise<ScoredText[]>;
}

/** A model that is also a classifier on its own (the transformer and lexicon classifiers). */
export type ScoringClassifier = Classifier & TextScoringModel;

/** A model posts are routed to: the languages it covers (ISO 639-3) and how to load it (called at most once). */
export interface RoutedModel {
  id: string;
  languages: ReadonlySet<string>;
  load: () => Promise<TextScoringModel>;
}

export interface RoutingOptions {
  english: TextScoringModel;
  /** In order of preference: a language two of them cover goes to the first. */
  routed: readonly RoutedModel[];
  scoreUnsupportedLanguages: boolean;
}

export class RoutingClassifier implements Classifier {
  readonly modelId: string;
  readonly method: Sentiment['method'];
  readonly #english: TextScoringModel;
  /** Each routed language's model (its index in #routed). */
  readonly #byLanguage: ReadonlyMap<string, number>;
  readonly #routed: readonly RoutedModel[];
  readonly #loaded: Array<Promise<TextScoringModel> | undefined>;
  readonly #batchOptions: Parameters<typeof classifyBatch>[1];

  constructor(options: RoutingOptions) {
    this.#english = options.english;
    this.modelId = options.english.modelId;
    this.method = options.english.method;
    this.#routed = options.routed;
    this.#loaded = options.routed.map(() => undefined);
    const byLanguage = new Map<string, number>();
    options.routed.forEach((model, i) => {
      for (const language of model.languages) if (!byLanguage.has(language)) byLanguage.set(language, i);
    });
    this.#byLanguage = byLanguage;
    const covered = new Set([...SUPPORTED_LANGUAGES, ...byLanguage.keys()]);
    this.#batchOptions = {
      modelId: this.modelId,
      method: this.method,
      maxChars: options.english.maxChars,
      detectLanguage: (text) => {
        const language = identifyLanguage(text);
        return { language, unsupported: language !== 'und' && !covered.has(language) };
      },
      scoreUnsupportedLanguages: options.scoreUnsupportedLanguages,
    };
  }

  /** The ISO 639-3 codes routed away from the English model, each with the id of the model that scores it. */
  get routedLanguages(): ReadonlyMap<string, string> {
    return new Map([...this.#byLanguage].map(([language, i]) => [language, this.#routed[i].id]));
  }

  classify(texts: string[]): Promise<Sentiment[]> {
    return classifyBatch(texts, this.#batchOptions, (batch, flags) => this.#score(batch, flags));
  }

  /**
   * Each model's call stands alone: when one fails (or a routed model cannot load), the others' posts are still
   * scored and the failure is a PartialScoringError naming the posts left unscored.
   */
  async #score(texts: string[], flags: SentimentFlags[]): Promise<ScoredText[]> {
    // Posts per model: -1 is the English model, i the i-th routed model.
    const groups = new Map<number, number[]>();
    flags.forEach((f, i) => {
      const model = this.#byLanguage.get(f.language ?? 'und') ?? -1;
      groups.set(model, [...(groups.get(model) ?? []), i]);
    });
    const results = new Array<ScoredText | undefined>(texts.length);
    const run = async (model: () => Promise<TextScoringModel>, indices: number[], tag: boolean) => {
      const scorer = await model();
      const scored = await scorer.score(indices.map((i) => texts[i]));
      const scoredBy = tag ? { modelId: scorer.modelId, method: scorer.method } : undefined;
      scored.forEach((s, j) => {
        results[indices[j]] = scoredBy ? { ...s, scoredBy } : s;
      });
    };
    // One after the other (each model already uses the vCPUs it is given), each failing alone: the English model
    // first, then the routed ones in their order.
    const failures: unknown[] = [];
    for (const [m, indices] of [...groups].sort((x, y) => x[0] - y[0])) {
      const model = m < 0 ? async () => this.#english : () => this.#model(m);
      await run(model, indices, m >= 0).catch((error: unknown) => failures.push(error));
    }
    if (failures.length === 0) return results as ScoredText[];
    if (results.every((r) => r === undefined)) throw failures[0];
    throw new PartialScoringError<ScoredText>(results, failures[0]);
  }

  #model(index: number): Promise<TextScoringModel> {
    let loading = this.#loaded[index];
    if (!loading) {
      loading = this.#routed[index].load();
      this.#loaded[index] = loading;
      // A load that failed is tried again by the next batch, not remembered for the life of the process.
      loading.catch(() => {
        if (this.#loaded[index] === loading) this.#loaded[index] = undefined;
      });
    }
    return loading;
  }
}

/** The languages a model folder says it covers: config.json's `languages` (ISO 639-3). */
export async function modelLanguages(config: Config, modelId: string): Promise<Set<string>> {
  const path = join(config.model.dir, modelId, 'config.json');
  const parsed = JSON.parse(await readFile(path, 'utf8')) as { languages?: unknown };
  const { languages } = parsed;
  if (
    !Array.isArray(languages) ||
    languages.length === 0 ||
    !languages.every((l) => typeof l === 'string' && /^[a-z]{3}$/.test(l))
  ) {
    throw new Error(`${path}: "languages" must list the ISO 639-3 codes the model covers`);
  }
  return new Set(languages as string[]);
}

/** The config of a routed model: the English model's, with the other id. */
export function multilingualConfig(config: Config, id: string): Config {
  return { ...config, model: { ...config.model, id } };
}

/**
 * Wraps the English model in a router over the configured routed models (MULTILINGUAL_MODEL_ID's list). A routed
 * model whose languages cannot be read is left out and that is logged as an error: its posts then go to the next
 * model covering them, or to the English model, which was not trained on them. None readable: routing is off.
 */
export async function withRouting(
  config: Config,
  english: ScoringClassifier,
  loadModel: (config: Config) => Promise<TextScoringModel>,
): Promise<ScoringClassifier | RoutingClassifier> {
  const routed: RoutedModel[] = [];
  for (const id of config.multilingualModelIds) {
    try {
      const languages = await modelLanguages(config, id);
      routed.push({ id, languages, load: () => loadModel(multilingualConfig(config, id)) });
    } catch (error) {
      logger.error('Routed model unreadable; its languages go to the next model covering them, or to English', {
        modelId: id,
        error: errorMessage(error),
      });
    }
  }
  if (routed.length === 0) return english;
  return new RoutingClassifier({ english, routed, scoreUnsupportedLanguages: config.scoreUnsupportedLanguages });
}
