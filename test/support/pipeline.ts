// Running the real pipeline in tests: the handlers, the local stack's event sources until idle, and a
// second "model" for rescoring.
import type { Classifier } from '../../src/domain/sentiment.js';
import { LexiconClassifier } from '../../src/classifier/lexicon.js';
import { pipelineEventSources, runUntilIdle, type PipelineHandlers } from '../../src/local/event-sources.js';
import type { TestStack } from './stack.js';

/**
 * The real Lambda handlers. Import them only after the test file has set its environment: the modules that
 * create the Powertools Logger/Metrics singletons read it when they load.
 */
export async function importHandlers(): Promise<PipelineHandlers> {
  return {
    classify: (await import('../../handlers/classify.js')).handler,
    aggregate: (await import('../../handlers/aggregate.js')).handler,
  };
}

/** Runs the classify queue and the results stream through the handlers until nothing is left to do. */
export async function runPipeline(stack: TestStack, handlers: PipelineHandlers, timeoutMs = 120_000): Promise<void> {
  const sources = pipelineEventSources(stack.clients, stack.stage, handlers, {
    classify: { maximumBatchingWindowSeconds: 0, pollWaitSeconds: 0 },
  });
  await runUntilIdle([sources.classify, sources.aggregate], { timeoutMs });
}

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
        label: s.label === 'positive' ? 'negative' as const : s.label === 'negative' ? 'positive' as const : s.label,
        score: -s.score,
        probabilities: { negative: s.probabilities.positive, neutral: s.probabilities.neutral, positive: s.probabilities.negative },
      }));
    },
  };
}
