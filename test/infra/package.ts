// Runs `osls package` once per test run (per distinct set of options) and shares the result between the
// test files of that run. node --test runs every file in its own process, all children of one runner, so
// the cache is keyed by the runner's pid (process.ppid) and guarded by a lock directory.
//
// Packaging happens in a scratch copy of the project (node_modules and models symlinked), never in the
// working tree: other engineers' `osls package` / local runs there use .esbuild/ and .serverless/ too.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Project entries not copied into the scratch project (heavy, irrelevant, or per-checkout state). */
const NOT_COPIED = new Set([
  'node_modules',
  'models',
  '.git',
  '.esbuild',
  '.serverless',
  '.build',
  'test',
  '.ci',
  'run',
  'tmp',
]);
/** Shared read-only with the working tree. */
const LINKED = ['node_modules', 'models'];

const PACKAGE_TIMEOUT_MS = 10 * 60_000;

export interface PackageOptions {
  stage?: string;
  region?: string;
  params?: Record<string, string>;
  /** Linked as the project's models/ instead of the working tree's (e.g. a folder model:fetch wrote to). */
  modelsDir?: string;
}

export interface Packaged {
  /** The --package directory: templates and zips. */
  dir: string;
  template: CfnTemplate;
  /** Path of a function's zip, if osls produced one. */
  zip(functionName: string): string;
  /** Wall-clock seconds the `osls package` run took (0 when reused from an earlier file of this run). */
  seconds: number;
  log: string;
}

export interface CfnResource {
  Type: string;
  Properties: Record<string, any>;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

/**
 * Under `node --test` (NODE_TEST_CONTEXT is set in the per-file children) the runner's pid identifies the
 * run; a file started some other way packages for itself.
 */
const RUN_ID = process.env.NODE_TEST_CONTEXT ? `${process.ppid}` : `${process.pid}`;

function cacheDir(options: PackageOptions): string {
  const key = createHash('sha256').update(JSON.stringify(options)).digest('hex').slice(0, 12);
  return join(tmpdir(), `impact-sentiment-infra-${RUN_ID}`, key);
}

function args(options: PackageOptions, packageDir: string): string[] {
  const list = [
    'package',
    '--stage',
    options.stage ?? 'ci',
    '--region',
    options.region ?? 'us-east-1',
    '--package',
    packageDir,
  ];
  for (const [name, value] of Object.entries(options.params ?? {})) list.push('--param', `${name}=${value}`);
  return list;
}

function scratchProject(modelsDir = join(ROOT, 'models')): string {
  const dir = mkdtempSync(join(tmpdir(), 'impact-sentiment-project-'));
  for (const entry of readdirSync(ROOT)) {
    if (NOT_COPIED.has(entry) || entry.endsWith('.log')) continue;
    cpSync(join(ROOT, entry), join(dir, entry), {
      recursive: true,
      filter: (src) => !src.split(/[\\/]/).includes('node_modules'),
    });
  }
  for (const entry of LINKED) {
    const target = entry === 'models' ? modelsDir : join(ROOT, entry);
    if (existsSync(target)) symlinkSync(target, join(dir, entry), 'dir');
  }
  return dir;
}

function run(
  cwd: string,
  argv: string[],
  scratchTmp: string,
): Promise<{ code: number | null; log: string; timedOut: boolean }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/osls/bin/serverless.js'), ...argv], {
      cwd,
      detached: true, // own process group: a timeout kills npm/esbuild children too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // serverless-esbuild leaves each function's staging copy (the classify one is ~125 MB) in the temp dir.
        TMPDIR: scratchTmp,
        // osls needs credentials to exist, not to work: packaging makes no AWS calls.
        AWS_ACCESS_KEY_ID: 'AKIAPACKAGEONLY00000',
        AWS_SECRET_ACCESS_KEY: 'package-only',
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      },
    });
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    let log = '';
    let failed = false;
    const onOutput = (chunk: Buffer) => {
      log += chunk;
      // After reporting an error osls does not exit (serverless-esbuild leaves its esbuild context
      // running), so an error report ends the run instead of the timeout.
      if (!failed && /^Environment: .*osls/m.test(log) && /^Error:$/m.test(log)) {
        failed = true;
        setTimeout(kill, 3000).unref();
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, PACKAGE_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: failed ? code || 1 : code, log, timedOut });
    });
  });
}

async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + PACKAGE_TIMEOUT_MS + 60_000;
  mkdirSync(dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function result(dir: string, seconds: number, log: string): Packaged {
  const template = JSON.parse(
    readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as CfnTemplate;
  return {
    dir,
    template,
    zip: (name) => join(dir, `${name}.zip`),
    seconds,
    log,
  };
}

const inProcess = new Map<string, Promise<Packaged>>();

/** `osls package` with these options, run at most once per test run. Throws with osls's output if it fails. */
export function packageService(options: PackageOptions = {}): Promise<Packaged> {
  const dir = cacheDir(options);
  let pending = inProcess.get(dir);
  if (!pending) {
    pending = withLock(`${dir}.lock`, async () => {
      const done = join(dir, '.done');
      if (existsSync(done)) return result(join(dir, 'out'), 0, readFileSync(done, 'utf8'));
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const project = scratchProject(options.modelsDir);
      const scratchTmp = mkdtempSync(join(tmpdir(), 'impact-sentiment-project-tmp-'));
      try {
        const started = Date.now();
        const { code, log, timedOut } = await run(project, args(options, join(dir, 'out')), scratchTmp);
        const seconds = (Date.now() - started) / 1000;
        if (timedOut || code !== 0) {
          throw new Error(
            `osls ${args(options, '<dir>').join(' ')} ` +
              `${timedOut ? 'timed out' : `exited ${code}`}:\n${log.slice(-6000)}`,
          );
        }
        writeFileSync(join(dir, 'seconds'), String(seconds));
        writeFileSync(done, log);
        return result(join(dir, 'out'), seconds, log);
      } finally {
        rmSync(project, { recursive: true, force: true });
        rmSync(scratchTmp, { recursive: true, force: true });
      }
    });
    inProcess.set(dir, pending);
  }
  return pending;
}

/** Seconds the packaging took in whichever process ran it (for reporting). */
export function packagingSeconds(options: PackageOptions = {}): number | undefined {
  const file = join(cacheDir(options), 'seconds');
  return existsSync(file) ? Number(readFileSync(file, 'utf8')) : undefined;
}

/** Removes cache directories of test runs whose runner is gone, and scratch projects left by killed runs. */
export function cleanStaleCaches(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (entry.startsWith('impact-sentiment-project-')) {
      try {
        const path = join(tmpdir(), entry);
        if (Date.now() - statSync(path).mtimeMs > 2 * PACKAGE_TIMEOUT_MS)
          rmSync(path, { recursive: true, force: true });
      } catch {
        /* raced */
      }
      continue;
    }
    const match = /^impact-sentiment-infra-(\d+)$/.exec(entry);
    if (!match || match[1] === RUN_ID) continue;
    try {
      process.kill(Number(match[1]), 0);
    } catch {
      try {
        if (statSync(join(tmpdir(), entry)).isDirectory())
          rmSync(join(tmpdir(), entry), { recursive: true, force: true });
      } catch {
        /* raced */
      }
    }
  }
}
