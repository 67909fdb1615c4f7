// A real PostgreSQL for the sink tests (src/local/postgres-server.ts: Debian's server on a loopback port) and the
// users' table as the issue describes it: tweets(id bigint, text, created_at, platform, sentiment,
// sentiment_score), plus the columns the sink's guard and failure reasons need.
import pg from 'pg';
import { localPostgresUnavailable, startLocalPostgres, type LocalPostgres } from '../../src/local/postgres-server.js';

export interface TweetRow {
  id: string;
  sentiment: string | null;
  sentiment_score: number | null;
  sentiment_model: string | null;
  sentiment_scored_at: Date | null;
  sentiment_failure: string | null;
}

/** The sink's settings for the tweets table (every optional column mapped). */
export const TWEETS_COLUMNS =
  'id=id,label=sentiment,score=sentiment_score,model=sentiment_model,failure=sentiment_failure';

/** Starts the server, failing (never skipping) when this machine cannot run one. */
export async function startTestPostgres(options: { port?: number; dataDir?: string } = {}): Promise<LocalPostgres> {
  const unavailable = localPostgresUnavailable();
  if (unavailable) throw new Error(`these tests need a real PostgreSQL: ${unavailable}`);
  return startLocalPostgres(options);
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** (Re)creates the table with one row per id, nothing scored. */
export async function createTweets(url: string, ids: string[], table = 'tweets'): Promise<void> {
  await withClient(url, async (client) => {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.query(`CREATE TABLE ${table} (
      id bigint PRIMARY KEY, text text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), platform text,
      sentiment text, sentiment_score real, sentiment_model text, sentiment_scored_at timestamptz,
      sentiment_failure text)`);
    await client.query(
      `INSERT INTO ${table} (id, text, platform) SELECT id, 'post ' || id, 'twitter' FROM unnest($1::bigint[]) AS id`,
      [ids],
    );
  });
}

export async function readTweets(url: string, table = 'tweets'): Promise<Map<string, TweetRow>> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<TweetRow>(
      `SELECT id::text AS id, sentiment, sentiment_score, sentiment_model, sentiment_scored_at, sentiment_failure
         FROM ${table} ORDER BY id`,
    );
    return new Map(rows.map((row) => [row.id, row]));
  });
}
