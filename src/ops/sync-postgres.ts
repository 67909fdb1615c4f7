// sync-postgres: the results (and dead-lettered posts' reasons) that exist but never reached the users' table:
// posts scored before the sink was deployed, or while PostgreSQL was out longer than the sink's retries. Reads the
// rows the pipeline has not scored (a server-side cursor), looks them up 100 at a time (BatchGetItem on the results
// and failures tables) and writes what it finds with the sink's own guarded UPDATEs: running it twice writes
// nothing the second time, and it never replaces a newer result the sink wrote meanwhile.
import type pg from 'pg';
import type { Config, PostgresSinkConfig } from '../config.js';
import { TABLES } from '../resources.js';
import { batchGetByKey } from '../aws/dynamodb.js';
import { SinkResultSchema } from '../domain/results.js';
import { FailureRecordSchema, failureText } from '../domain/failure-records.js';
import {
  countUnscored,
  describeSinkTable,
  fitsIdColumn,
  unscoredIds,
  writeFailures,
  writeResults,
  type FailureRow,
  type ResultRow,
} from '../postgres/results-writer.js';

export interface SyncProgress {
  /** Rows without a score when the run started. */
  total: number;
  checked: number;
  /** Rows a result exists for (written unless dry run). */
  withResult: number;
  /** Rows with no result but a dead-lettered post's reason (written when a failure column is mapped). */
  withFailure: number;
  /** Rows changed. */
  written: number;
  /** Ids DynamoDB could not be asked about (retried next run). */
  unread: number;
}

export interface SyncOptions {
  dryRun?: boolean;
  /** Rows per lookup (BatchGetItem takes 100 keys). */
  pageSize?: number;
  onProgress?: (progress: SyncProgress) => void;
}

export async function syncPostgres(
  config: Pick<Config, 'tables'>,
  sink: PostgresSinkConfig,
  pool: pg.Pool,
  options: SyncOptions = {},
): Promise<SyncProgress> {
  const table = await describeSinkTable(pool, sink);
  const progress: SyncProgress = {
    total: await countUnscored(pool, table),
    checked: 0,
    withResult: 0,
    withFailure: 0,
    written: 0,
    unread: 0,
  };
  options.onProgress?.({ ...progress });
  const cursorClient = await pool.connect(); // the cursor's own connection; the writes go through the pool
  try {
    for await (const page of unscoredIds(cursorClient, table, options.pageSize ?? 100)) {
      const ids = page.filter((id) => fitsIdColumn(table, id));
      const [results, failures] = await Promise.all([
        batchGetByKey(config.tables.results, TABLES.results.partitionKey, ids),
        batchGetByKey(config.tables.failures, TABLES.failures.partitionKey, ids),
      ]);
      const rows: ResultRow[] = [];
      const failed: FailureRow[] = [];
      for (const id of ids) {
        if (results.failed.has(id) || failures.failed.has(id)) {
          progress.unread++;
          continue;
        }
        const result = SinkResultSchema.safeParse(results.found.get(id));
        const failure = FailureRecordSchema.safeParse(failures.found.get(id));
        if (result.success) {
          const { label, score, modelId, classifiedAt } = result.data;
          rows.push({ postId: id, label, score, modelId, scoredAt: classifiedAt });
        } else if (failure.success) failed.push({ postId: id, failure: failureText(failure.data) });
      }
      progress.checked += page.length;
      progress.withResult += rows.length;
      progress.withFailure += failed.length;
      if (!options.dryRun)
        progress.written +=
          (await writeResults(pool, table, rows)).length + (await writeFailures(pool, table, failed)).length;
      options.onProgress?.({ ...progress });
    }
  } finally {
    cursorClient.release();
  }
  return progress;
}
