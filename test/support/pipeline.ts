// Running the real pipeline in tests: the handlers and the local stack's event sources until idle. Nothing
// here imports a module that creates the Powertools singletons, so test files may import it statically.
import { pipelineEventSources, runUntilIdle, type PipelineHandlers } from '../../src/local/event-sources.js';
import { startStack, type TestStack } from './stack.js';

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

export interface PipelineTest {
  stack: TestStack;
  handlers: PipelineHandlers;
  ingestPosts: typeof import('../../src/producer/ingest.js').ingestPosts;
}

/**
 * What a pipeline test file starts from: the emulators and a fresh stage, the real handlers and ingestPosts. Call
 * it in before(), after the file has set its environment (they are imported then); stack.teardown() in after().
 */
export async function startPipelineTest(): Promise<PipelineTest> {
  const stack = await startStack();
  try {
    const handlers = await importHandlers();
    const { ingestPosts } = await import('../../src/producer/ingest.js');
    return { stack, handlers, ingestPosts };
  } catch (error) {
    await stack.teardown();
    throw error;
  }
}

/** Runs the classify queue and the results stream through the handlers until nothing is left to do. */
export async function runPipeline(stack: TestStack, handlers: PipelineHandlers, timeoutMs = 120_000): Promise<void> {
  const sources = pipelineEventSources(stack.clients, stack.stage, handlers, {
    classify: { maximumBatchingWindowSeconds: 0, pollWaitSeconds: 0 },
  });
  await runUntilIdle([sources.classify, sources.aggregate], { timeoutMs });
}
