// `npm start -- --serve` as a child process, the way a user runs it: its output collected, waited on, and the
// export block it prints read back as variables.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT as repo } from './cli.js';

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

export interface Serve {
  child: ChildProcess;
  output: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startServe(args: string[], env: Record<string, string> = {}): Serve {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/local-run.ts', '--serve', ...args], {
    cwd: repo,
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

/** The `export A=1 \ B=2 ...` block the serve prints, as variables. */
export function exportedVariables(output: string): Record<string, string> {
  const block = /export ([\s\S]*?QUEUE_URL=\S+)/.exec(output);
  assert.ok(block, output);
  return Object.fromEntries(
    block[1].split(/\s*\\\n\s*/).map((pair) => pair.trim().split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}
