// How every command-line tool starts and ends, in one place: it runs only when its file is the process's entry
// point (a test may import it), and exits 0 when done, 1 when it failed, 2 for a usage error (unknown flags too).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError, errorMessage } from '../errors.js';

/**
 * True when `moduleUrl` is the script node was started with. Compared as real paths, not URL text: a path with
 * a space or a symlink in it must still match (`file://${argv[1]}` never does for an escaped character).
 */
export function isEntryPoint(moduleUrl: string, argv1: string | undefined = process.argv[1]): boolean {
  if (!argv1) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** node:util parseArgs's own errors (unknown option, missing value, stray positional): the user's, not ours. */
export function isUsageError(error: unknown): boolean {
  if (error instanceof UsageError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

export interface CliOptions {
  /** Printed after a usage error (default: a pointer to --help). */
  usage?: string;
  /** Runs before exit, whatever happened (e.g. close SDK clients so no socket keeps the process alive). */
  cleanup?: () => void;
}

/** Runs `main(argv)` when `moduleUrl` is the entry point, prints errors as one line, and exits with its code. */
export function runCli(
  moduleUrl: string,
  name: string,
  main: (argv: string[]) => Promise<number>,
  options: CliOptions = {},
): void {
  if (!isEntryPoint(moduleUrl)) return;
  const exit = (code: number) => {
    options.cleanup?.();
    process.exit(code);
  };
  main(process.argv.slice(2)).then(exit, (error: unknown) => {
    if (isUsageError(error)) {
      console.error(`${name}: ${(error as Error).message}\n${options.usage ?? `Run with --help for usage.`}`);
      exit(2);
    } else {
      console.error(`${name}: ${errorMessage(error)}`);
      exit(1);
    }
  });
}
