// Helpers of the ops tests: made-up posts, running the pipeline on the local stack until idle, running
// the ops CLI as a child process (as an operator would), and checking aggregates against a recount.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { assertAggregatesMatchResults, readResults } from '../support/aggregates.js';
import type { Classifier } from '../../src/domain/sentiment.js';
import { LexiconClassifier } from '../../src/classifier/lexicon.js';
import { pipelineEventSources, runUntilIdle, type PipelineHandlers } from '../../src/local/event-sources.js';
import type { TestStack } from '../support/stack.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** A model directory that does not exist: getClassifier falls back to the lexicon. */
export const MISSING_MODEL_DIR = '/nonexistent/impact-sentiment-models';

const TONES = ['I love this, wonderful and great', 'this is terrible, awful and sad', 'the meeting is at noon on tuesday'];
export const SOURCES = ['twitter', 'reddit', 'news'];

export interface TestPost { postId: string; text: string; createdAt: string; source: string }

/**
 * `count` posts of clear tone on `days` consecutive days from 2024-05-01 (post i on day i % days). Each day
 * cycles through positive, negative, neutral and the sources, so every day has every tone and leans
 * positive when its post count is not a multiple of three.
 */
export function makePosts(count: number, prefix: string, days = 3): TestPost[] {
  return Array.from({ length: count }, (_, i) => {
    const k = Math.floor(i / days); // position within the day
    return {
      postId: `${prefix}-${i}`,
      text: TONES[k % TONES.length],
      createdAt: `2024-05-${String(1 + (i % days)).padStart(2, '0')}T${String(k % 24).padStart(2, '0')}:00:00Z`,
      source: SOURCES[Math.floor(k / TONES.length) % SOURCES.length],
    };
  });
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

/** Runs the classify queue and the results stream through the handlers until nothing is left to do. */
export async function runPipeline(stack: TestStack, handlers: PipelineHandlers, timeoutMs = 120_000): Promise<void> {
  const sources = pipelineEventSources(stack.clients, stack.stage, handlers, {
    classify: { maximumBatchingWindowSeconds: 0, pollWaitSeconds: 0 },
  });
  await runUntilIdle([sources.classify, sources.aggregate], { timeoutMs });
}

export async function queueCounts(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return { visible: Number(Attributes.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) };
}

export { readResults };

/** The aggregates table holds exactly what a recount of the results table gives (zero rows aside). */
export async function assertAggregatesMatchRecount(stack: TestStack): Promise<void> {
  await assertAggregatesMatchResults(stack.stage.tables.results, stack.stage.tables.aggregates);
}

export interface CliRun { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs `src/cli/ops.ts <args>` with the stack's environment (plus `env`), as `npm run ops` would. */
export function runOps(stack: TestStack, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/ops.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...stack.env, MODEL_DIR: MISSING_MODEL_DIR, POWERTOOLS_DEV: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
