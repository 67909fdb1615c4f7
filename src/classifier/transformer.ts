// Transformer classifier (transformers.js on onnxruntime-node). Placeholder until the model path lands:
// getClassifier() falls back to the lexicon when this throws.
import type { Config } from '../config.js';
import type { Classifier } from '../domain/sentiment.js';

export async function loadTransformerClassifier(config: Config): Promise<Classifier> {
  throw new Error(`transformer classifier not implemented yet (model ${config.model.id})`);
}
