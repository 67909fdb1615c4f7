// Which column holds which post field, for sources with named columns (a CSV header, a PostgreSQL table or
// query): `--map postId=id,text=text,createdAt=created_at` and the same as defaults, so a plain
// `\copy tweets to ... csv header` export and a table of the users' shape need no hand-written SELECT.
// Checked once against the columns the source has, before any row is read.
import { UsageError } from '../errors.js';

/** The columns the fields come from when not mapped and no column is named as the field itself. */
export const DEFAULT_COLUMNS: Readonly<Record<string, string>> = {
  postId: 'id',
  text: 'text',
  createdAt: 'created_at',
};

/** Fields every post needs: a source without a column for one of them cannot give a single valid post. */
export const REQUIRED_FIELDS = ['postId', 'text', 'createdAt'] as const;

/** Field -> column, as given with --map (explicit) over the defaults. */
export type ColumnMap = Readonly<Record<string, string>>;

/** Field -> the source's column it is read from, after checking the source has the columns. */
export type ResolvedColumns = ReadonlyArray<readonly [field: string, column: string]>;

/**
 * A source without a column the map asks for: names it, and the columns the source has. A usage error (exit 2), as
 * the sink's: the fix is on the command line (--map).
 */
export class MissingColumnError extends UsageError {}

/** `--map postId=tweet_id,source=platform` as field -> column (explicit entries only). */
export function parseColumnMap(spec: string | undefined): ColumnMap {
  const map: Record<string, string> = {};
  if (spec === undefined) return map;
  for (const entry of spec.split(',')) {
    const [field, column, ...rest] = entry.split('=').map((part) => part.trim());
    if (!field || !column || rest.length > 0)
      throw new UsageError(`--map takes FIELD=COLUMN pairs separated by commas, got "${entry}"`);
    if (field in map) throw new UsageError(`--map names ${field} twice`);
    map[field] = column;
  }
  const columns = Object.values(map);
  const twice = columns.find((column, i) => columns.indexOf(column) !== i);
  if (twice !== undefined) throw new UsageError(`--map reads column ${twice} into two fields`);
  return map;
}

/**
 * Where each field comes from in a source with these columns: a mapped field from its column (which must exist);
 * an unmapped required field from the column named as the field, else from its default column. Throws
 * MissingColumnError naming every field without a column and the columns found.
 */
export function resolveColumns(columns: readonly string[], map: ColumnMap, sourceName: string): ResolvedColumns {
  const present = new Set(columns);
  const resolved: Array<readonly [string, string]> = [];
  const missing: string[] = [];
  for (const [field, column] of Object.entries(map)) {
    if (present.has(column)) resolved.push([field, column]);
    else missing.push(`${field} (--map ${field}=${column}: no column ${column})`);
  }
  for (const field of REQUIRED_FIELDS) {
    if (field in map) continue;
    const candidates = [field, DEFAULT_COLUMNS[field]].filter((c, i, all) => all.indexOf(c) === i);
    const column = candidates.find((c) => present.has(c));
    if (column !== undefined) resolved.push([field, column]);
    else missing.push(`${field} (no column ${candidates.join(' or ')})`);
  }
  if (missing.length > 0)
    throw new MissingColumnError(
      `${sourceName} has no column for ${missing.join(', ')}; columns found: ${columns.join(', ') || '(none)'}. ` +
        'Name the column with --map FIELD=COLUMN (e.g. --map postId=tweet_id).',
    );
  return resolved;
}

/**
 * Turns a source record into post fields: each resolved column renamed to its field, the other columns kept as
 * they are when `keepOthers` (a CSV's extra columns, a query's). A column read into a field is not kept under its
 * own name.
 */
export function recordMapper(
  resolved: ResolvedColumns,
  keepOthers: boolean,
): (record: Readonly<Record<string, unknown>>) => Record<string, unknown> {
  const mapped = new Set(resolved.map(([, column]) => column));
  return (record) => {
    const value: Record<string, unknown> = {};
    if (keepOthers) for (const [column, cell] of Object.entries(record)) if (!mapped.has(column)) value[column] = cell;
    for (const [field, column] of resolved) value[field] = record[column];
    return value;
  };
}
