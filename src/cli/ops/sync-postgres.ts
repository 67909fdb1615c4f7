// npm run ops -- sync-postgres: write the results that never reached the users' PostgreSQL table.
import type { Config } from '../../config.js';
import { loadPostgresSink } from '../../config.js';
import { syncPostgres, type SyncProgress } from '../../ops/sync-postgres.js';
import { createPool } from '../../postgres/pool.js';
import { SinkTableError } from '../../postgres/results-writer.js';
import { UsageError } from '../../errors.js';
import { parse } from './args.js';
import type { OpsCommand } from './command.js';

function line(p: SyncProgress): string {
  return `checked ${p.checked}/${p.total} unscored rows: ${p.withResult} with a result, ${p.withFailure} dead-lettered`;
}

async function run(config: Config, args: string[]): Promise<number> {
  const flags = parse(args, {
    postgres: { type: 'string' },
    'pg-table': { type: 'string' },
    'pg-columns': { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  let sink: ReturnType<typeof loadPostgresSink>;
  try {
    sink = loadPostgresSink(undefined, {
      url: flags.postgres,
      table: flags['pg-table'] ?? 'tweets',
      columns: flags['pg-columns'],
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const pool = await createPool(sink.connection);
  try {
    const tty = process.stderr.isTTY;
    let shown = 0;
    const result = await syncPostgres(config, sink, pool, {
      dryRun: flags['dry-run'],
      onProgress: (p) => {
        // On a terminal one line kept up to date; in a log a line per 10,000 rows.
        if (tty) process.stderr.write(`\r${line(p)}`);
        else if (p.checked - shown >= 10_000 || p.checked === p.total) {
          shown = p.checked;
          console.error(line(p));
        }
      },
    });
    if (tty) process.stderr.write('\n');
    const failures = sink.columns.failure ? '' : ' (no failure column mapped: reasons not written)';
    console.log(
      flags['dry-run']
        ? `Dry run: ${result.withResult} row(s) of ${sink.table} would get their score and ` +
            `${result.withFailure} their failure reason${failures}; nothing written.`
        : `Wrote ${result.written} row(s) of ${sink.table}: ${result.withResult} result(s) and ` +
            `${result.withFailure} failure reason(s) found for ${result.checked} unscored row(s)${failures}.`,
    );
    if (result.unread > 0) console.error(`${result.unread} row(s) could not be looked up; run sync-postgres again.`);
    return result.unread > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof SinkTableError) throw new UsageError(error.message);
    throw error;
  } finally {
    await pool.end();
  }
}

export const syncPostgresCommand: OpsCommand = {
  usage: `sync-postgres [--postgres URL] [--pg-table T] [--pg-columns SPEC] [--dry-run]
      Write the results that never reached your PostgreSQL table (scored before the sink, or during an
      outage) and dead-lettered posts' reasons: the rows without a score, looked up 100 at a time, written
      with the sink's guard (never over a newer result). Idempotent. The table and columns as for the sink
      (default tweets; POSTGRES_SINK_TABLE, POSTGRES_SINK_COLUMNS); the server from --postgres, POSTGRES_URL
      or libpq's PGHOST, PGUSER, PGPASSWORD, ... --dry-run counts.`,
  run,
};
