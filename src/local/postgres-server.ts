// A real PostgreSQL server for local runs and tests: Debian's `postgresql` package (initdb + postgres), in a
// directory of its own, on a loopback port, never as root (as root it runs as the `postgres` user, which is what
// the server insists on). Not a mock and not embedded: the same server the users run, with trust auth on loopback.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface LocalPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  dataDir: string;
  /** The server process (its own process group), e.g. to kill it in a fault test. */
  pid: number;
  /** Fast shutdown; the data directory is removed unless it was given (persisted). */
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  /** A fixed port instead of a free one. */
  port?: number;
  /** Keep the cluster here (created if empty) instead of a temporary directory removed on stop. */
  dataDir?: string;
  /** How long the server may take to accept connections. Default 60 s. */
  startupTimeoutMs?: number;
}

/** The newest installed server's bin directory, or a message saying how to install one. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new Error('no PostgreSQL server found under /usr/lib/postgresql (apt-get install -y postgresql)');
  return join(root, versions[0], 'bin');
}

/** Why a local server cannot be started here, or undefined when it can. */
export function localPostgresUnavailable(): string | undefined {
  try {
    postgresBinDir();
  } catch (error) {
    return (error as Error).message;
  }
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0)
    return 'running as root, and there is no `postgres` user to run the server as (apt-get install -y postgresql)';
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** As root, the server's commands run as `postgres`, owning the data directory; otherwise as ourselves. */
function asServerUser(dir: string): { command: (bin: string, args: string[]) => [string, string[]] } {
  if (process.getuid?.() !== 0) return { command: (bin, args) => [bin, args] };
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  chownSync(dir, uid, gid);
  return { command: (bin, args) => ['runuser', ['-u', 'postgres', '--', bin, ...args]] };
}

export async function startLocalPostgres(options: LocalPostgresOptions = {}): Promise<LocalPostgres> {
  const bin = postgresBinDir();
  const persisted = options.dataDir !== undefined;
  const base = persisted ? (options.dataDir as string) : mkdtempSync(join(tmpdir(), 'impact-sentiment-pg-'));
  mkdirSync(base, { recursive: true });
  const dataDir = join(base, 'data');
  const { command } = asServerUser(base);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    const [cmd, args] = command(join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    const init = spawnSync(cmd, args, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed: ${(init.stderr || init.stdout).trim()}`);
  }
  const port = options.port ?? (await freePort());
  const [cmd, args] = command(join(bin, 'postgres'), [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-k',
    base,
    '-c',
    'listen_addresses=127.0.0.1',
    // A test and dev server: durability is the disk's problem, not this one's.
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
  ]);
  const server: ChildProcess = spawn(cmd, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + (options.startupTimeoutMs ?? 60_000);
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null)
      throw new Error(`postgres exited while starting (${server.exitCode ?? server.signalCode}): ${log.trim()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        server.kill('SIGKILL');
        throw new Error(`postgres did not accept connections on port ${port}: ${log.trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  // The whole process group: as root the server runs under runuser, which would not pass every signal on.
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(server.pid as number), name);
    } catch {
      // already gone
    }
  };
  const kill = () => signal('SIGKILL');
  process.once('exit', kill);
  return {
    url,
    port,
    dataDir,
    pid: server.pid as number,
    async stop() {
      process.off('exit', kill);
      if (server.exitCode === null && server.signalCode === null) {
        signal('SIGINT'); // fast shutdown: open transactions are rolled back, the cluster stays consistent
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
        if (server.exitCode === null && server.signalCode === null) kill();
      }
      if (!persisted) rmSync(base, { recursive: true, force: true });
    },
  };
}
