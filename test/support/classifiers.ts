// Test classifiers. Importing this loads the classifier modules (and with them the Powertools singletons):
// import it after the test file has set its environment, or where the namespace does not matter.
import type { Classifier } from '../../src/domain/sentiment.js';
import { LexiconClassifier } from '../../src/classifier/lexicon.js';

/**
 * A second "model" for rescoring: the lexicon's judgement turned around, under its own model id, so a
 * rescore visibly moves labels and aggregates (the shipped transformer is not needed for that).
 */
export function contraryClassifier(modelId: string): Classifier {
  const lexicon = new LexiconClassifier();
  return {
    modelId,
    async classify(texts) {
      return (await lexicon.classify(texts)).map((s) => ({
        ...s,
        modelId,
        method: 'transformer' as const,
        label:
          s.label === 'positive' ? ('negative' as const) : s.label === 'negative' ? ('positive' as const) : s.label,
        score: -s.score,
        probabilities: {
          negative: s.probabilities.positive,
          neutral: s.probabilities.neutral,
          positive: s.probabilities.negative,
        },
      }));
    },
  };
}
