// `npm start -- --serve` as a user runs it (a child process that keeps serving), and the Python that the docs'
// examples run on: shared by the serve test and the Python-examples test.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FIRST_JSON_BOTOCORE } from '../../src/local/fauxqs.js';
import { REPO_ROOT } from './cli.js';

export interface Serve {
  child: ChildProcess;
  output: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startServe(args: string[], env: Record<string, string> = {}): Serve {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/local-run.ts', '--serve', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', ...env },
  });
  const serve: Serve = {
    child,
    output: '',
    exited: new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    serve.output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    serve.output += chunk.toString();
  });
  return serve;
}

/** Resolves once the output matches (or rejects when the serve exits first). */
export function waitForOutput(serve: Serve, pattern: RegExp, timeoutMs = 240_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(serve.output);
      if (match) return finish(() => resolve(match));
      if (serve.child.exitCode !== null)
        return finish(() =>
          reject(new Error(`serve exited (${serve.child.exitCode}) before ${pattern}:\n${serve.output}`)),
        );
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`no ${pattern} in the serve's output:\n${serve.output}`))),
      timeoutMs,
    );
    const interval = setInterval(check, 100);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      clearInterval(interval);
      settle();
    };
    check();
  });
}

/** The `export A=1 \ B=2 ...` block the serve prints, as variables. */
export function exportedVariables(output: string): Record<string, string> {
  const block = /export ([\s\S]*?QUEUE_URL=\S+)/.exec(output);
  assert.ok(block, output);
  return Object.fromEntries(
    block[1].split(/\s*\\\n\s*/).map((pair) => pair.trim().split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

/** A DynamoDB document client on the serve's DynamoDB Local, from its exported variables. */
export function servedDocuments(env: Record<string, string>): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
      region: env.AWS_REGION,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    }),
  );
}

/** The ```python blocks of docs/python.md, in order. */
export function docsPythonBlocks(): string[] {
  const docs = readFileSync(join(REPO_ROOT, 'docs', 'python.md'), 'utf8');
  return [...docs.matchAll(/^```python\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
}

function olderThan(version: string, wanted: string): boolean {
  const parts = (v: string) => v.split('.').map(Number);
  const [have, need] = [parts(version), parts(wanted)];
  for (let i = 0; i < need.length; i++) {
    if ((have[i] ?? 0) !== need[i]) return (have[i] ?? 0) < need[i];
  }
  return false;
}

/**
 * The first Python (python3 on PATH, then the venv .ci/run makes) with boto3 >= FIRST_JSON_BOTOCORE (SQS's JSON
 * protocol) and the given modules; or why none can run the examples.
 */
export function findPython(modules: readonly string[] = []): { python: string } | { unavailable: string } {
  const reasons: string[] = [];
  for (const python of ['python3', join(REPO_ROOT, '.ci', 'python', 'bin', 'python3')]) {
    if (python.includes('/') && !existsSync(python)) continue;
    const code = `import botocore${modules.map((m) => `, ${m}`).join('')}; print(botocore.__version__)`;
    const probe = spawnSync(python, ['-c', code], { encoding: 'utf8' });
    if (probe.error) reasons.push(`no ${python} (${probe.error.message})`);
    else if (probe.status !== 0) reasons.push(`${python}: ${probe.stderr.trim().split('\n').pop()}`);
    else if (olderThan(probe.stdout.trim(), FIRST_JSON_BOTOCORE))
      reasons.push(`${python}'s botocore ${probe.stdout.trim()} is older than ${FIRST_JSON_BOTOCORE}`);
    else return { python };
  }
  return { unavailable: `${reasons.join('; ')} (.ci/run sets up a Python that has them)` };
}

export interface PythonRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs Python code with only the given environment pointing boto3 anywhere (no profile of this machine).
 * Asynchronous, so the serve's output keeps being read meanwhile.
 */
export function runPython(
  python: string,
  code: string,
  env: Record<string, string>,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<PythonRun> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-c', code], {
      cwd: options.cwd,
      env: { ...clean, ...env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
