// Local stand-ins for the AWS services the pipeline uses: AWS's own DynamoDB Local (a java child
// process, in memory, streams included) and fauxqs (an SQS emulator running inside this process).
// Both listen on free loopback ports; stop() (or the process exiting) shuts both down.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startFauxqsWithPlainQueueUrls, type QueryProtocolCall, type SqsEmulator } from './fauxqs.js';

/** Where a local stack lives: what AWS SDK clients need to reach it. */
export interface AwsTarget {
  region: string;
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
}

export interface Emulators extends Required<AwsTarget> {
  /** Process id of the DynamoDB Local java process (leader of its own process group). */
  dynamodbPid: number;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Region the emulators report in ARNs and queue URLs. Default us-east-1. */
  region?: string;
  /** Fixed ports instead of free ones (e.g. to reach a kept stack at a known address). */
  dynamodbPort?: number;
  sqsPort?: number;
  /**
   * Keep DynamoDB Local's data in this directory (-dbPath, one shared database whatever the credentials) instead of
   * in memory: tables, items and streams survive a restart. fauxqs has no such mode: queues start empty.
   */
  dbPath?: string;
  /** java executable. Default `java` from PATH. */
  javaCommand?: string;
  /** How long DynamoDB Local may take to answer its first request. Default 60 s (a busy machine is slow). */
  startupTimeoutMs?: number;
  /** Called for each SQS call in the query protocol (which fauxqs answers with an upgrade hint). */
  onQueryProtocolCall?: (call: QueryProtocolCall) => void;
  /**
   * The caller stops the emulators itself on SIGINT/SIGTERM (e.g. after finishing the batch in hand);
   * without this, a signal stops them at once. They are killed on exit either way.
   */
  callerHandlesSignals?: boolean;
}

/** Credentials the emulators accept (they never check them); set so the SDK's chain finds something. */
export const DUMMY_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

const running = new Set<Emulators>();
/** Every DynamoDB Local started by this process and not yet exited, including ones still starting up. */
const javaProcesses = new Set<ChildProcess>();

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const region = options.region ?? 'us-east-1';
  installExitHandlers();
  if (options.callerHandlesSignals) signalsHandledByCaller = true;
  const sqs = await startFauxqsWithPlainQueueUrls(options.sqsPort ?? 0, {
    onQueryProtocolCall: options.onQueryProtocolCall,
  });
  let java: ChildProcess;
  let dynamodbEndpoint: string;
  try {
    ({ java, endpoint: dynamodbEndpoint } = await startDynamoDbLocal(region, options));
  } catch (error) {
    await sqs.stop();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  const emulators: Emulators = {
    region,
    dynamodbEndpoint,
    sqsEndpoint: sqs.endpoint,
    dynamodbPid: java.pid!,
    stop: () => {
      stopped ??= (async () => {
        running.delete(emulators);
        await stopJava(java);
        await sqs.stop();
      })();
      return stopped;
    },
  };
  running.add(emulators);
  return emulators;
}

/** Stops every emulator started by this process, also any still starting (CLI signal handling, tests). */
export async function stopAllEmulators(): Promise<void> {
  await Promise.all([...running].map((e) => e.stop()));
  await Promise.all([...javaProcesses].map(stopJava));
}

function dynamoDbLocalDir(): string {
  // The simulator package ships AWS's DynamoDB Local jar; we only use the jar, not its JS wrapper.
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

async function startDynamoDbLocal(
  region: string,
  options: EmulatorOptions,
): Promise<{ java: ChildProcess; endpoint: string }> {
  const dir = dynamoDbLocalDir();
  const port = options.dynamodbPort ?? (await freePort());
  const javaCommand = options.javaCommand ?? 'java';
  const args = [
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    ...(options.dbPath ? ['-dbPath', options.dbPath, '-sharedDb'] : ['-inMemory']),
    '-port',
    String(port),
    '-disableTelemetry',
  ];
  // detached: java leads its own process group, so stop() can kill it and anything it started,
  // and a Ctrl-C in the terminal reaches us first rather than killing it behind our back.
  // cwd: DynamoDB Local writes a metadata file there even in memory; keep it out of the repo.
  const cwd = join(tmpdir(), 'impact-sentiment-dynamodb-local');
  mkdirSync(cwd, { recursive: true });
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  const java = spawn(javaCommand, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (java.pid !== undefined) {
    // Tracked from the start: a Ctrl-C or a crash during the (slow) startup must not leave it behind.
    javaProcesses.add(java);
    java.once('exit', () => javaProcesses.delete(java));
    startOrphanWatchdog(java.pid);
  }
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  java.stdout!.on('data', collect);
  java.stderr!.on('data', collect);
  const failed = new Promise<never>((_, reject) => {
    java.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `"${javaCommand}" was not found on PATH. DynamoDB Local needs a Java runtime (17 or later), ` +
                'e.g. apt-get install openjdk-17-jre-headless',
            )
          : new Error(`could not start DynamoDB Local with "${javaCommand}": ${error.message}`),
      );
    });
    java.once('exit', (code, signal) => {
      reject(new Error(`DynamoDB Local exited during startup (code ${code}, signal ${signal}):\n${output.trim()}`));
    });
  });
  failed.catch(() => undefined); // observed below; avoids an unhandled rejection once startup is over
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([failed, waitUntilAnswering(endpoint, region, options.startupTimeoutMs ?? 60_000)]);
  } catch (error) {
    await stopJava(java);
    throw error;
  }
  java.stdout!.removeListener('data', collect).resume();
  java.stderr!.removeListener('data', collect).resume();
  return { java, endpoint };
}

async function waitUntilAnswering(endpoint: string, region: string, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region, credentials: DUMMY_CREDENTIALS, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer at ${endpoint} within ${timeoutMs} ms: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

async function stopJava(java: ChildProcess): Promise<void> {
  if (java.exitCode !== null || java.signalCode !== null || java.pid === undefined) return;
  const exited = new Promise<void>((resolve) => java.once('exit', () => resolve()));
  killGroup(java.pid, 'SIGTERM');
  const timer = setTimeout(() => killGroup(java.pid!, 'SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** True while a process with this id exists (signal 0 checks without sending anything). */
export function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/**
 * If this process dies without running its exit handlers (SIGKILL, a crash of the runtime), a
 * tiny shell loop notices and kills DynamoDB Local, so no java is left behind holding memory.
 */
function startOrphanWatchdog(javaPid: number): void {
  // Ends by itself once java is gone; kills java only if this process went first.
  const script =
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${javaPid} 2>/dev/null; do sleep 2; done; ` +
    `kill -0 ${process.pid} 2>/dev/null || kill -9 -${javaPid} 2>/dev/null`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let exitHandlersInstalled = false;
let signalsHandledByCaller = false;

function installExitHandlers(): void {
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  // 'exit' runs synchronously: kill the java process groups; fauxqs dies with this process.
  process.on('exit', () => {
    for (const java of javaProcesses) killGroup(java.pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = async () => {
      // Someone else listening (e.g. a CLI) decides how the process ends; otherwise end as the default would.
      const othersHandle = process.listenerCount(signal) > 1;
      if (othersHandle && signalsHandledByCaller) return; // the caller finishes its work, then stops them
      await stopAllEmulators().catch(() => undefined);
      process.removeListener(signal, onSignal);
      if (!othersHandle) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

export type { QueryProtocolCall, SqsEmulator };
