// The PostgreSQL pool, one per process (like src/aws/clients.ts): created on first use from the connection
// settings, the secret read once per container. Deployed, the connection comes from a Secrets Manager secret or
// an SSM SecureString parameter (POSTGRES_SECRET) holding a URL or RDS's JSON ({username, password, host, ...}).
import pg from 'pg';
import type { PostgresConnection } from '../config.js';
import { logger } from '../observability.js';
import { errorMessage } from '../errors.js';
import { readSecretString } from '../aws/secrets.js';

let pool: Promise<pg.Pool> | undefined;

/** The shared pool for these settings (the first caller's settings win until resetPostgresPool()). */
export function postgresPool(connection: PostgresConnection): Promise<pg.Pool> {
  pool ??= createPool(connection).catch((error) => {
    pool = undefined; // a secret that could not be read is read again next time
    throw error;
  });
  return pool;
}

/** Ends the pool (tests that restart the server; a CLI before it exits). */
export async function resetPostgresPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await (await current?.catch(() => undefined))?.end().catch(() => undefined);
}

export async function createPool(connection: PostgresConnection): Promise<pg.Pool> {
  const created = new pg.Pool({
    ...(await connectionSettings(connection)),
    // A Lambda container handles one batch at a time; a local run a few.
    max: 4,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    lock_timeout: connection.lockTimeoutMs,
    statement_timeout: connection.statementTimeoutMs,
    application_name: 'impact-sentiment',
  });
  // An idle connection the server dropped (restart, pg_terminate_backend) is discarded by the pool; without a
  // listener its error would end the process.
  created.on('error', (error) => logger.warn('PostgreSQL dropped an idle connection', { error: errorMessage(error) }));
  return created;
}

async function connectionSettings(connection: PostgresConnection): Promise<pg.PoolConfig> {
  if (connection.url) return { connectionString: connection.url };
  if (!connection.secret) return {}; // libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE
  return settingsFromSecret(await readSecret(connection.secret), connection.secret);
}

async function readSecret(secret: string): Promise<string> {
  const value = await readSecretString(secret);
  if (typeof value !== 'string' || value === '') throw new Error(`${secret} holds no PostgreSQL connection`);
  return value;
}

/** A postgres:// URL, or RDS's secret JSON. TLS unless the secret says sslmode=disable. */
export function settingsFromSecret(value: string, name = 'the secret'): pg.PoolConfig {
  if (/^postgres(ql)?:\/\//.test(value.trim())) return { connectionString: value.trim() };
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(value);
  } catch {
    throw new Error(`${name} is neither a postgres:// URL nor JSON ({"host", "username", "password", ...})`);
  }
  const text = (key: string) => (typeof json[key] === 'string' ? (json[key] as string) : undefined);
  if (!text('host')) throw new Error(`${name}: no "host" in the secret's JSON`);
  return {
    host: text('host'),
    port: Number(json.port ?? 5432),
    user: text('username') ?? text('user'),
    password: text('password'),
    database: text('dbname') ?? text('database'),
    ssl: text('sslmode') === 'disable' ? false : { rejectUnauthorized: true },
  };
}
