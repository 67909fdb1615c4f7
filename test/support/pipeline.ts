// Running the real pipeline in tests: the handlers and the local stack's event sources until idle. Nothing
// here imports a module that creates the Powertools singletons, so test files may import it statically.
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
