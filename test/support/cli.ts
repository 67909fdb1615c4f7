// Running the CLIs as child processes, as an operator would (`npm run ops`, `npm run ingest`).
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

/** A CLI script started with the stack's environment (plus `env`); `done` settles when it exits. */
export function startScript(
  stack: Pick<TestStack, 'env'>,
  script: string,
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...stack.env, MODEL_DIR: MISSING_MODEL_DIR, POWERTOOLS_DEV: 'false', ...env },
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

/** Runs `src/cli/ops.ts <args>` with the stack's environment (plus `env`), as `npm run ops` would. */
export function runOps(stack: TestStack, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return startScript(stack, 'src/cli/ops.ts', args, env).done;
}

/** Runs `src/cli/ingest.ts <args>` with the stack's environment (plus `env`), as `npm run ingest` would. */
export function runIngest(
  stack: Pick<TestStack, 'env'>,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  return startScript(stack, 'src/cli/ingest.ts', args, env).done;
}
