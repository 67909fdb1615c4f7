// Running the CLIs as child processes, as a user would (`npm run ops`, `npm run bench`, ...).
import { spawn } from 'node:child_process';
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

/** Runs `node --import tsx <args>` in the repository, as `npm run` would, with `env` added to process.env. */
export function runTsx(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs `src/cli/ops.ts <args>` with the stack's environment (plus `env`), as `npm run ops` would. */
export function runOps(stack: TestStack, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runTsx(['src/cli/ops.ts', ...args], {
    ...stack.env,
    MODEL_DIR: MISSING_MODEL_DIR,
    POWERTOOLS_DEV: 'false',
    ...env,
  });
}
