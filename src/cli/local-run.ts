// npm start [-- --input FILE] [--keep | --serve [--port-base N] [--persist DIR] [--postgres URL ...]] [--help]
// The whole pipeline on this machine: a one-shot run of the sample or --input (src/local/sample-run.ts), or a
// service for your own producer (--serve, src/local/serve.ts). This file only reads and checks the options.
import { statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSinkColumns, DEFAULT_SINK_COLUMNS, SINK_COLUMNS_SYNTAX } from '../domain/postgres-columns.js';
import { stopAllEmulators } from '../local/emulators.js';
import { generateSamplePosts, sampleJsonl } from '../local/sample-posts.js';
import { runServe } from '../local/serve.js';
import { runSample } from '../local/sample-run.js';
import { EMBEDDED_POSTGRES } from '../local/embedded-postgres.js';
import { FUNCTIONS } from '../resources.js';

/**
 * A served message must not reappear while its batch is still gathering or in the handler (the first
 * batch also loads the model): the batching window plus the function timeout.
 */
const SERVE_VISIBILITY_TIMEOUT_SECONDS =
  FUNCTIONS.classify.maximumBatchingWindowSeconds + FUNCTIONS.classify.timeoutSeconds;

const USAGE =
  `usage: npm start -- [--input FILE.jsonl|FILE.csv] [--keep] [--visibility-timeout SECONDS] [--verbose]
       npm start -- --serve [--input FILE.jsonl|FILE.csv] [--visibility-timeout SECONDS] [--verbose]
                    [--port-base N] [--persist DIR] [--postgres [URL] [--pg-table T] [--pg-columns SPEC]]
       npm start -- --write-sample FILE.jsonl

Runs the whole pipeline locally on real emulators (DynamoDB Local via java, fauxqs in process):
provisions a fresh stage, ingests the posts with the producer, sends two poison messages straight to
the queue (they must end in the DLQ), runs the classify and aggregate handlers the way Lambda's event
source mappings would until the system is idle, and prints the aggregates and the accounting.

  --input FILE               posts to ingest (default: the built-in deterministic sample, ` +
  `${generateSamplePosts().rows.length} rows)
  --keep                     leave the emulators running afterwards (until Ctrl-C) to poke at them
  --serve                    run as a service instead: a fresh stage, --input ingested if given (no sample,
                             no poison messages), then both handlers keep processing posts that any client
                             sends (your own producer, the AWS CLI) until Ctrl-C or SIGTERM, with a live
                             status line; on stop the batch in hand is finished and the emulators stopped
  --port-base N              with --serve: fixed ports, DynamoDB Local on N and SQS on N+1, so every restart
                             prints the same variables (a dev config written once)
  --persist DIR              with --serve: DynamoDB Local keeps its data in DIR: tables, posts, results and
                             aggregates survive a restart (the SQS emulator is in memory: queues start empty)
  --postgres [URL]           with --serve: also run the PostgreSQL sink, writing each result into your table
                             (postgres://user:password@host:port/db; the password is never printed). Without a
                             URL: a PostgreSQL of its own (Debian's server; on --port-base + 2, kept under
                             --persist DIR/postgres) with the table created if missing, its URL printed
  --pg-table T               the sink's table (default tweets; SCHEMA.TABLE works)
  --pg-columns SPEC          ${SINK_COLUMNS_SYNTAX}
                             (default ${Object.entries(DEFAULT_SINK_COLUMNS)
                               .map(([field, column]) => `${field}=${column}`)
                               .join(',')})
  --visibility-timeout SECS  classify queue visibility timeout (default 5, with --serve ` +
  `${SERVE_VISIBILITY_TIMEOUT_SECONDS}; production uses 400)
  --write-sample FILE        write the built-in sample as JSONL and exit
  -v, --verbose              show the handlers' logs and metrics (Powertools JSON lines)
  -h, --help                 this text

Exit status: 0 when every message that entered the queue is accounted for (scored + DLQ = enqueued)
and the aggregates count every scored post once; 1 otherwise; 2 for bad arguments.`;

/** Messages no producer would send: they show the DLQ path (the classify function rejects them at once). */

const CLI_OPTIONS = {
  input: { type: 'string' },
  keep: { type: 'boolean' },
  serve: { type: 'boolean' },
  'visibility-timeout': { type: 'string' },
  'port-base': { type: 'string' },
  persist: { type: 'string' },
  postgres: { type: 'string' },
  'pg-table': { type: 'string' },
  'pg-columns': { type: 'string' },
  'write-sample': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `--postgres` with no URL after it (last, or before another flag) asks for the embedded server. */
function parseCli(argv: string[]) {
  const args = argv.map((arg, i) =>
    arg === '--postgres' && (i === argv.length - 1 || argv[i + 1].startsWith('-'))
      ? `--postgres=${EMBEDDED_POSTGRES}`
      : arg,
  );
  return parseArgs({ args, options: CLI_OPTIONS }).values;
}

async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parseCli>;
  try {
    values = parseCli(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) return (console.log(USAGE), 0);
  if (values['write-sample']) {
    writeFileSync(values['write-sample'], sampleJsonl(generateSamplePosts()));
    console.log(`wrote the sample to ${values['write-sample']}`);
    return 0;
  }
  const visibilityTimeoutSeconds = Number(
    values['visibility-timeout'] ?? (values.serve ? SERVE_VISIBILITY_TIMEOUT_SECONDS : 5),
  );
  if (!Number.isInteger(visibilityTimeoutSeconds) || visibilityTimeoutSeconds < 1) {
    console.error(`--visibility-timeout must be a whole number of seconds >= 1\n\n${USAGE}`);
    return 2;
  }

  // A file that is not there is the user's mistake, said in one line before anything starts.
  if (values.input !== undefined && !isFile(values.input)) {
    console.error(`npm start: --input ${values.input}: no such file`);
    return 2;
  }
  const serveOnly = (['port-base', 'persist', 'postgres', 'pg-table', 'pg-columns'] as const).filter(
    (flag) => values[flag] !== undefined,
  );
  if (!values.serve && serveOnly.length > 0) {
    console.error(`--${serveOnly[0]} needs --serve\n\n${USAGE}`);
    return 2;
  }

  if (values.serve) {
    if (values.keep) return (console.error(`--serve keeps the emulators up already; drop --keep\n\n${USAGE}`), 2);
    const portBase = values['port-base'] === undefined ? undefined : Number(values['port-base']);
    if (portBase !== undefined && !(Number.isInteger(portBase) && portBase >= 1024 && portBase <= 65534)) {
      console.error(`--port-base must be a port number from 1024 to 65534\n\n${USAGE}`);
      return 2;
    }
    if ((values['pg-table'] || values['pg-columns']) && !values.postgres) {
      console.error(`--pg-table and --pg-columns configure the sink: add --postgres URL\n\n${USAGE}`);
      return 2;
    }
    let postgresSink: Record<string, string> | undefined;
    if (values.postgres) {
      try {
        parseSinkColumns(values['pg-columns']);
      } catch (error) {
        console.error(`--pg-columns: ${(error as Error).message}\n\n${USAGE}`);
        return 2;
      }
      postgresSink = {
        POSTGRES_URL: values.postgres,
        POSTGRES_SINK_TABLE: values['pg-table'] ?? 'tweets',
        POSTGRES_SINK_COLUMNS: values['pg-columns'] ?? '',
      };
    }
    return runServe({
      input: values.input,
      visibilityTimeoutSeconds,
      verbose: values.verbose,
      portBase,
      persist: values.persist === undefined ? undefined : resolve(values.persist),
      postgresSink,
    });
  }

  return runSample({
    input: values.input,
    visibilityTimeoutSeconds,
    verbose: values.verbose,
    keep: values.keep,
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    await stopAllEmulators().catch(() => undefined);
    process.exit(1);
  },
);
