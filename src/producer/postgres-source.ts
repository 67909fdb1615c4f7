// Posts read from PostgreSQL (`ingest --from-postgres`): a table (its mapped columns) or a query (all its columns),
// ordered by the id column and read through a server-side cursor, a batch at a time, so memory stays flat over
// millions of rows. The columns are checked before the first row; the password never appears in what it says.
import pg from 'pg';
import Cursor from 'pg-cursor';
import { AppError, UsageError, errorMessage } from '../errors.js';
import { recordMapper, resolveColumns, type ColumnMap, type ResolvedColumns } from './column-map.js';

export interface PostgresSourceOptions {
  /** A postgres:// URL; empty or undefined: node-postgres takes everything from PGHOST, PGPORT, PGUSER, ... */
  url: string | undefined;
  /** Read this table's mapped columns (`schema.table`, names as stored)... */
  table?: string;
  /** ...or every column this query returns (named as the fields, or mapped). */
  query?: string;
  columns: ColumnMap;
  /** The zone a `timestamp without time zone` createdAt column was written in. */
  timezone?: string;
  /** Rows per cursor read. Default 1000. */
  batchRows?: number;
}

/** Type OIDs whose values are taken as PostgreSQL writes them (text), not as node-postgres would parse them. */
const AS_TEXT = new Set([
  1082, // date
  1083, // time
  1114, // timestamp (without time zone): node-postgres would read it in this machine's zone
  1184, // timestamptz
  1266, // timetz
]);
const TIMESTAMP = 1114;

const quote = (name: string) => pg.escapeIdentifier(name);
/** `schema.table` or `table`, each part quoted as given (case-sensitive). */
const quoteTable = (name: string) => name.split('.').map(quote).join('.');

/** A connection's address for messages and the resume key: never the password. */
function describeConnection(client: pg.Client): string {
  const user = client.user ? `${client.user}@` : '';
  return `postgres://${user}${client.host}:${client.port}/${client.database ?? ''}`;
}

/** Replaces the password (as given and URL-encoded) and a URL's password part in a message. */
export function maskSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let masked = text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/g, '$1***@');
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) masked = masked.split(form).join('***');
  }
  return masked;
}

export class PostgresSource {
  private constructor(
    private readonly client: pg.Client,
    private readonly options: PostgresSourceOptions,
    /** The FROM clause, and how a column of it is referred to. */
    private readonly from: string,
    private readonly ref: (column: string) => string,
    private readonly selectList: string,
    private readonly selectParams: unknown[],
    private readonly idColumn: string,
    private readonly toPost: (record: Readonly<Record<string, unknown>>) => Record<string, unknown>,
    readonly resolved: ResolvedColumns,
  ) {}

  /** The id column's value (as text) of the last row handed out: every row before it was handed out too. */
  lastKey: string | undefined;

  /** `postgres://user@host:port/db table tweets` (or `query`), without the password. */
  get description(): string {
    const { table, query } = this.options;
    const sql = (query ?? '').replace(/\s+/g, ' ').trim();
    const shown = sql.length > 80 ? `${sql.slice(0, 77)}...` : sql;
    return `${describeConnection(this.client)} ${table !== undefined ? `table ${table}` : `query ${shown}`}`;
  }

  /** What --resume keys its state by: the server, database, user, source, map and zone (never the password). */
  get identity(): string {
    const { table, query, timezone } = this.options;
    return JSON.stringify([describeConnection(this.client), table ?? null, query ?? null, this.resolved, timezone]);
  }

  /** A message with the connection's password masked. */
  mask(text: string): string {
    return maskSecrets(text, [this.client.password as string | undefined]);
  }

  /**
   * Connects and checks the source: the columns the map needs exist (MissingColumnError names them and the columns
   * found), a `timestamp without time zone` createdAt has a --timezone (UsageError). Errors are masked.
   */
  static async open(options: PostgresSourceOptions): Promise<PostgresSource> {
    if ((options.table === undefined) === (options.query === undefined))
      throw new UsageError('--from-postgres needs one of --table T or --query SQL');
    const client = new pg.Client({
      connectionString: options.url || undefined,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          AS_TEXT.has(oid)
            ? (value: string) => value
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    const mask = (text: string) => maskSecrets(text, [client.password as string | undefined]);
    // A connection lost between reads is also emitted as an event: the pending or next read rejects with it, and
    // is reported from there (masked), not as an uncaught exception.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new AppError(mask(`cannot connect to PostgreSQL at ${describeConnection(client)}: ${errorMessage(error)}`));
    }
    try {
      return await PostgresSource.describe(client, options);
    } catch (error) {
      await client.end().catch(() => undefined);
      if (error instanceof AppError) {
        error.message = mask(error.message);
        throw error;
      }
      throw new AppError(mask(`PostgreSQL (${describeConnection(client)}): ${errorMessage(error)}`));
    }
  }

  private static async describe(client: pg.Client, options: PostgresSourceOptions): Promise<PostgresSource> {
    // Timestamps come out as ISO text in UTC (`2026-11-20 13:11:04.861168+00`), whatever the server's settings.
    await client.query(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'`);
    const inTable = options.table !== undefined;
    const from = inTable
      ? quoteTable(options.table as string)
      : `(${(options.query as string).trim().replace(/;+\s*$/, '')}) AS src`;
    const ref = inTable ? quote : (column: string) => `src.${quote(column)}`;
    const { fields } = await client.query(`SELECT * FROM ${from} LIMIT 0`);
    const name = inTable ? `table ${options.table}` : 'the query';
    const resolved = resolveColumns(
      fields.map((f) => f.name),
      options.columns,
      name,
    );
    const idColumn = resolved.find(([field]) => field === 'postId')?.[1] as string;
    const createdAtColumn = resolved.find(([field]) => field === 'createdAt')?.[1] as string;
    const typeOf = new Map(fields.map((f) => [f.name, f.dataTypeID]));
    const selectParams: unknown[] = [];
    if (typeOf.get(createdAtColumn) === TIMESTAMP) {
      if (options.timezone === undefined)
        throw new UsageError(
          `column ${createdAtColumn} of ${name} is a timestamp without time zone: its values carry no offset. ` +
            'Say which zone they were written in with --timezone ZONE ' +
            '(e.g. --timezone UTC or --timezone Europe/Berlin).',
        );
      try {
        await client.query('SELECT now() AT TIME ZONE $1', [options.timezone]);
      } catch (error) {
        throw new UsageError(`--timezone ${options.timezone}: ${errorMessage(error)}`);
      }
      selectParams.push(options.timezone);
    }
    const selected = inTable ? [...new Set(resolved.map(([, column]) => column))] : fields.map((f) => f.name);
    const selectList = selected
      .map((column) =>
        column === createdAtColumn && selectParams.length > 0
          ? `(${ref(column)} AT TIME ZONE $1) AS ${quote(column)}`
          : ref(column),
      )
      .join(', ');
    const mapper = recordMapper(resolved, !inTable);
    const toPost = (row: Readonly<Record<string, unknown>>) => {
      const record: Record<string, unknown> = {};
      for (const [column, value] of Object.entries(row)) if (value !== null) record[column] = value;
      const post = mapper(record);
      // bigint arrives as text already; an integer or numeric id becomes its decimal text too.
      if (typeof post.postId === 'number' || typeof post.postId === 'bigint') post.postId = String(post.postId);
      // A NULL text is an empty one: rejected with the same reason as a blank post.
      post.text ??= '';
      return post;
    };
    return new PostgresSource(client, options, from, ref, selectList, selectParams, idColumn, toPost, resolved);
  }

  /** The WHERE clause and its parameters for the rows after `after` (a resumed run). */
  private where(after: string | undefined, params: unknown[]): { sql: string; params: unknown[] } {
    if (after === undefined) return { sql: '', params };
    return { sql: `WHERE ${this.ref(this.idColumn)} > $${params.length + 1}`, params: [...params, after] };
  }

  /** Rows the read will hand out (for the progress bar). */
  async count(after?: string): Promise<number> {
    const where = this.where(after, []);
    const { rows } = await this.client.query(`SELECT count(*) AS n FROM ${this.from} ${where.sql}`, where.params);
    return Number(rows[0].n);
  }

  /** The posts, ordered by the id column, after the row with id `after` when given. */
  async *posts(after?: string): AsyncGenerator<Record<string, unknown>> {
    const where = this.where(after, this.selectParams);
    const sql = `SELECT ${this.selectList} FROM ${this.from} ${where.sql} ORDER BY ${this.ref(this.idColumn)}`;
    const batchRows = this.options.batchRows ?? 1000;
    const cursor = this.client.query(new Cursor<Record<string, unknown>>(sql, where.params));
    // The next batch is fetched while this one is ingested: the round trip overlaps the writes.
    const read = () => {
      const next = cursor.read(batchRows);
      next.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      return next;
    };
    let next = read();
    try {
      for (;;) {
        const rows = await next;
        if (rows.length === 0) break;
        next = read();
        for (const row of rows) {
          const id = row[this.idColumn];
          if (id !== null && id !== undefined) this.lastKey = String(id);
          yield this.toPost(row);
        }
      }
    } finally {
      await next.catch(() => undefined);
      await cursor.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
