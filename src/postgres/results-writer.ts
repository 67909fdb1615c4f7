// Every statement the sink and sync-postgres send to the users' PostgreSQL: the table's shape checked once, a
// batch of results written with one UPDATE (guarded: an older result never replaces a newer one), dead-lettered
// posts' reasons, and the rows still waiting for a score. Identifiers are quoted (escapeIdentifier); the id is
// compared in the column's own type (`$1::bigint[]`), so the table's index on it is used.
import pg from 'pg';
import Cursor from 'pg-cursor';
import { SINK_COLUMNS_SYNTAX, tableParts, type SinkColumns, type SinkField } from '../domain/postgres-columns.js';

export interface SinkTarget {
  table: string;
  columns: SinkColumns;
}

/** The checked table: quoted names, and each mapped column's SQL type (`bigint`, `timestamp with time zone`). */
export interface SinkTable {
  table: string;
  quotedTable: string;
  columns: SinkColumns;
  quoted: Partial<Record<SinkField, string>>;
  types: Partial<Record<SinkField, string>>;
}

export interface ResultRow {
  postId: string;
  label: string;
  score: number;
  modelId: string;
  /** ISO 8601: when the result was produced (the guard compares it with the row's scoredAt column). */
  scoredAt: string;
}

export interface FailureRow {
  postId: string;
  /** `<reason>: <detail>`, written to the failure column. */
  failure: string;
}

/** The table or a column is missing: a configuration error (never retried into success). */
export class SinkTableError extends Error {
  override name = 'SinkTableError';
}

const quote = (name: string) => pg.escapeIdentifier(name);

/** Looks the table and its columns up (pg_catalog) and checks every mapped column is there. */
export async function describeSinkTable(db: pg.Pool | pg.Client, target: SinkTarget): Promise<SinkTable> {
  const quotedTable = tableParts(target.table).map(quote).join('.');
  const { rows } = await db.query<{ found: string | null; name: string | null; type: string | null }>(
    `SELECT to_regclass($1)::text AS found, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM (SELECT to_regclass($1) AS oid) t
       LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [quotedTable],
  );
  if (!rows[0]?.found) throw new SinkTableError(`table ${target.table} not found (looked up as ${quotedTable})`);
  const found = new Map(rows.map((r) => [r.name as string, r.type as string]));
  const quoted: SinkTable['quoted'] = {};
  const types: SinkTable['types'] = {};
  for (const [field, column] of Object.entries(target.columns) as Array<[SinkField, string | undefined]>) {
    if (column === undefined) continue;
    const type = found.get(column);
    if (!type) {
      const hint =
        field === 'scoredAt'
          ? ` (the guard against older results needs it: ALTER TABLE ${quotedTable} ADD COLUMN ${quote(column)} ` +
            'timestamptz; or name yours with --pg-columns scoredAt=COLUMN)'
          : ` (map it with --pg-columns ${field}=COLUMN; ${SINK_COLUMNS_SYNTAX})`;
      throw new SinkTableError(
        `table ${target.table} has no column "${column}" for ${field}${hint}; ` +
          `columns found: ${[...found.keys()].join(', ')}`,
      );
    }
    quoted[field] = quote(column);
    types[field] = type;
  }
  return { table: target.table, quotedTable, columns: target.columns, quoted, types };
}

const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * Whether a post id can name a row of this id column at all (a post from another producer, "cli-1", in a bigint
 * table): such ids are left out instead of failing the batch's one statement on a cast.
 */
export function fitsIdColumn(table: SinkTable, postId: string): boolean {
  const type = table.types.id as string;
  if (INTEGER_TYPES.has(type)) {
    if (!/^-?\d{1,19}$/.test(postId)) return false;
    const bits = type === 'bigint' ? 64n : type === 'integer' ? 32n : 16n;
    const value = BigInt(postId);
    return value >= -(2n ** (bits - 1n)) && value < 2n ** (bits - 1n);
  }
  if (type === 'uuid') return UUID.test(postId);
  if (type === 'numeric' || type.startsWith('numeric(')) return /^-?\d+(\.\d+)?$/.test(postId);
  return true;
}

/**
 * Writes the results in one UPDATE. A row is updated only when its scoredAt is empty or not newer than the
 * result's (a replay of the same result rewrites the same values); the failure column, if mapped, is cleared.
 * Answers the ids of the rows updated. One result per post id: the caller keeps the newest.
 */
export async function writeResults(db: pg.Pool | pg.Client, table: SinkTable, results: ResultRow[]): Promise<string[]> {
  if (results.length === 0) return [];
  const { quoted: q, types } = table;
  const sets = [
    `${q.label} = v.label::${types.label}`,
    `${q.score} = v.score::${types.score}`,
    `${q.scoredAt} = v.scored_at::${types.scoredAt}`,
  ];
  if (q.model) sets.push(`${q.model} = v.model::${types.model}`);
  if (q.failure) sets.push(`${q.failure} = NULL`);
  const { rows } = await db.query<{ id: string }>(
    `UPDATE ${table.quotedTable} AS t SET ${sets.join(', ')}
       FROM unnest($1::${types.id}[], $2::text[], $3::float8[], $4::text[], $5::timestamptz[])
            AS v(id, label, score, model, scored_at)
      WHERE t.${q.id} = v.id
        AND (t.${q.scoredAt} IS NULL OR t.${q.scoredAt} <= v.scored_at::${types.scoredAt})
      RETURNING t.${q.id}::text AS id`,
    [
      results.map((r) => r.postId),
      results.map((r) => r.label),
      results.map((r) => r.score),
      results.map((r) => r.modelId),
      results.map((r) => r.scoredAt),
    ],
  );
  return rows.map((r) => r.id);
}

/**
 * Writes dead-lettered posts' reasons to the failure column (when one is mapped), on rows the pipeline has not
 * scored (scoredAt empty): a score, earlier or later, always wins over a failure. A row that already says so is
 * left alone (answers only the rows changed).
 */
export async function writeFailures(
  db: pg.Pool | pg.Client,
  table: SinkTable,
  failures: FailureRow[],
): Promise<string[]> {
  const { quoted: q, types } = table;
  if (failures.length === 0 || !q.failure) return [];
  const { rows } = await db.query<{ id: string }>(
    `UPDATE ${table.quotedTable} AS t SET ${q.failure} = v.failure::${types.failure}
       FROM unnest($1::${types.id}[], $2::text[]) AS v(id, failure)
      WHERE t.${q.id} = v.id AND t.${q.scoredAt} IS NULL AND t.${q.failure} IS DISTINCT FROM v.failure::${types.failure}
      RETURNING t.${q.id}::text AS id`,
    [failures.map((f) => f.postId), failures.map((f) => f.failure)],
  );
  return rows.map((r) => r.id);
}

/** How many rows the pipeline has not scored yet (sync-postgres's progress total). */
export async function countUnscored(db: pg.Pool | pg.Client, table: SinkTable): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${table.quotedTable} WHERE ${table.quoted.scoredAt} IS NULL`,
  );
  return Number(rows[0].n);
}

/**
 * The ids of the rows the pipeline has not scored, `pageSize` at a time, through a server-side cursor (constant
 * memory over millions of rows). The client is the caller's, used for nothing else meanwhile.
 */
export async function* unscoredIds(client: pg.PoolClient | pg.Client, table: SinkTable, pageSize = 100) {
  const cursor = client.query(
    new Cursor<{ id: string }>(
      `SELECT ${table.quoted.id}::text AS id FROM ${table.quotedTable} WHERE ${table.quoted.scoredAt} IS NULL`,
    ),
  );
  try {
    for (;;) {
      const rows = await cursor.read(pageSize);
      if (rows.length === 0) return;
      yield rows.map((r) => r.id);
    }
  } finally {
    await cursor.close();
  }
}
