// Timing helpers and the machine description printed at the top of the report.
import { cpus, availableParallelism, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface RunPlan {
  warmups: number;
  runs: number;
}

/** Runs `pass` warm-up times untimed, then `runs` timed times; returns each timed pass in ms. */
export async function timePasses(plan: RunPlan, pass: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < plan.warmups; i++) await pass();
  const times: number[] = [];
  for (let i = 0; i < plan.runs; i++) {
    const started = performance.now();
    await pass();
    times.push(performance.now() - started);
  }
  return times;
}

/**
 * Like timePasses for several contenders at once, in rounds (one pass of each per round), so a slow spell on a
 * shared machine hits all of them alike: comparisons between them are far steadier than back-to-back blocks.
 */
export async function timeInterleaved<K extends string>(
  plan: RunPlan,
  passes: Record<K, () => Promise<unknown>>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(passes) as K[];
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < plan.warmups + plan.runs; round++) {
    for (const name of names) {
      const started = performance.now();
      await passes[name]();
      if (round >= plan.warmups) times[name].push(performance.now() - started);
    }
  }
  return times;
}

/** Throughput from the median pass over `texts` texts. */
export function textsPerSec(texts: number, passMs: number[]): number {
  return texts / (median(passMs) / 1000);
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
  /** CPU flags that matter to onnxruntime's kernels. */
  simd: string[];
  /** Other busy processes when the bench started (load average, a training run). */
  load1: number;
  trainingRunning: boolean;
}

export function machineInfo(): Machine {
  let flags = '';
  try {
    flags = execFileSync('grep', ['-m1', '^flags', '/proc/cpuinfo'], { encoding: 'utf8' });
  } catch {
    /* not Linux */
  }
  const simd = ['avx2', 'avx512f', 'avx512_vnni', 'avx_vnni', 'amx_int8'].filter((f) => flags.split(/\s+/).includes(f));
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    simd,
    load1: Number((loadAverage1() ?? 0).toFixed(2)),
    trainingRunning: isTrainingRunning(),
  };
}

function loadAverage1(): number | undefined {
  try {
    return Number(execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ')[0]);
  } catch {
    return undefined;
  }
}

/** A model training on this machine takes a core: numbers measured meanwhile are pessimistic. */
export function isTrainingRunning(): boolean {
  try {
    execFileSync('pgrep', ['-f', 'train.py'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Everything human-readable goes to stderr in --json mode, so stdout holds only the JSON object. */
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
