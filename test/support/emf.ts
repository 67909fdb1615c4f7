// Reading what the functions write to stdout: Powertools' JSON log lines and EMF metrics (console writes them as
// strings). Buffers go on to the real stdout: under `node --test` they are the test runner's own v8-serialised
// event frames, which Node 24 writes while a test runs (a frame's bytes can start a line with '{'), and
// swallowing them would also lose the runner's report.

export type JsonLine = Record<string, any>;

/** Takes the JSON lines written to stdout (off it) until stop(); other writes go through. */
export function tapJsonLines(onLine: (line: JsonLine) => void): { stop(): void } {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk !== 'string') return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    for (const line of chunk.split('\n')) if (line.startsWith('{')) onLine(JSON.parse(line) as JsonLine);
    return true;
  }) as typeof process.stdout.write;
  return { stop: () => void (process.stdout.write = write) };
}

/** Runs fn while collecting the JSON lines written to stdout. */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ value: T; lines: JsonLine[] }> {
  const lines: JsonLine[] = [];
  const tap = tapJsonLines((line) => lines.push(line));
  try {
    return { value: await fn(), lines };
  } finally {
    tap.stop();
  }
}

/** The names of the EMF metrics on a line (none when it is a log line). */
export function metricNames(line: JsonLine): string[] {
  return (line._aws?.CloudWatchMetrics?.[0]?.Metrics ?? []).map((m: { Name: string }) => m.Name);
}

/** Every value of one metric (optionally with one dimension's value) in the lines. */
export function metricValues(lines: JsonLine[], name: string, dimension?: [string, string]): number[] {
  return lines
    .filter((l) => metricNames(l).includes(name))
    .filter((l) => !dimension || l[dimension[0]] === dimension[1])
    .flatMap((l) => [l[name]].flat());
}
