// Running the CLIs as child processes, as a user would (`npm run ops`, `npm run ingest`, `npm run bench`, ...).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestStack } from './stack.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** A model directory that does not exist: getClassifier falls back to the lexicon. */
export const MISSING_MODEL_DIR = '/nonexistent/impact-sentiment-models';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `node --import tsx <args>` in the repository, as `npm run` would, with `env` added to process.env (the
 * child, e.g. to kill it); `done` settles when it exits.
 */
export function startTsx(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs `node --import tsx <args>` in the repository, as `npm run` would, with `env` added to process.env. */
export function runTsx(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return startTsx(args, env).done;
}

/** The stack's environment for a CLI, scoring with the lexicon and logging plainly, plus `env`. */
function stackEnvironment(stack: Pick<TestStack, 'env'>, env: Record<string, string>): Record<string, string> {
  return { ...stack.env, MODEL_DIR: MISSING_MODEL_DIR, POWERTOOLS_DEV: 'false', ...env };
}

/** Runs `src/cli/ops.ts <args>` with the stack's environment (plus `env`), as `npm run ops` would. */
export function runOps(stack: TestStack, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runTsx(['src/cli/ops.ts', ...args], stackEnvironment(stack, env));
}

/** Starts `src/cli/ingest.ts <args>` with the stack's environment (plus `env`), as `npm run ingest` would. */
export function startIngest(
  stack: Pick<TestStack, 'env'>,
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  return startTsx(['src/cli/ingest.ts', ...args], stackEnvironment(stack, env));
}

/** Runs `src/cli/ingest.ts <args>` with the stack's environment (plus `env`), as `npm run ingest` would. */
export function runIngest(
  stack: Pick<TestStack, 'env'>,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  return startIngest(stack, args, env).done;
}
