// `npm start -- --serve --postgres` with no URL: a PostgreSQL of its own for local development (Debian's server,
// src/local/postgres-server.ts), with the sink's table created if it is not there yet, shaped like the users' seed
// table plus the columns the sink maps. Kept under --persist DIR/postgres and on --port-base + 2 when given.
import { join } from 'node:path';
import pg from 'pg';
import { localPostgresUnavailable, startLocalPostgres, type LocalPostgres } from './postgres-server.js';
import { parseSinkColumns, tableParts } from '../domain/postgres-columns.js';

/** The value `--postgres` takes when it is given no URL. */
export const EMBEDDED_POSTGRES = 'embedded';

export interface EmbeddedPostgresOptions {
  table: string;
  columns: string | undefined;
  persist?: string;
  port?: number;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<LocalPostgres> {
  const unavailable = localPostgresUnavailable();
  if (unavailable) throw new Error(`no PostgreSQL to start for --postgres without a URL: ${unavailable}`);
  const server = await startLocalPostgres({
    dataDir: options.persist ? join(options.persist, 'postgres') : undefined,
    port: options.port,
  });
  const columns = parseSinkColumns(options.columns);
  const q = pg.escapeIdentifier;
  const optional = [columns.model, columns.failure].filter((c): c is string => c !== undefined);
  const client = new pg.Client({ connectionString: server.url });
  try {
    await client.connect();
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${tableParts(options.table).map(q).join('.')} (
         ${q(columns.id)} bigint PRIMARY KEY, text text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
         platform text, ${q(columns.label)} text, ${q(columns.score)} real, ${q(columns.scoredAt)} timestamptz
         ${optional.map((c) => `, ${q(c)} text`).join('')})`,
    );
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
  return server;
}
