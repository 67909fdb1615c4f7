// One call per test file: emulators up, a fresh stage provisioned from src/resources, and
// process.env pointing the handlers' config and the SDK at them. Call teardown() in after().
//
// Set the environment BEFORE importing a handler: handlers may read config and build SDK clients
// when their module loads, e.g.
//   const stack = await startStack();
//   const { handler } = await import('../../handlers/classify.js');
import { startEmulators, type Emulators } from '../../src/local/emulators.js';
import { localClients, type LocalClients } from '../../src/local/clients.js';
import { applyEnvironment, stackEnvironment } from '../../src/local/environment.js';
import { provision, type ProvisionedStage } from '../../src/local/provision.js';
import { resetClients } from '../../src/aws/clients.js';

export interface TestStack {
  emulators: Emulators;
  /** The stage process.env currently points at. */
  stage: ProvisionedStage;
  /** The variables set on process.env for that stage. */
  env: Record<string, string>;
  /** Clients aimed at the emulators explicitly (for the test's own setup and checks). */
  clients: LocalClients;
  /** Provisions another fresh stage on the same emulators and points process.env at it. */
  freshStage(options?: StageOptions): Promise<ProvisionedStage>;
  /** Stops the emulators, destroys the clients, restores process.env. */
  teardown(): Promise<void>;
}

export interface StageOptions {
  stage?: string;
  /** Classify queue visibility timeout in seconds. Default 2: failures reappear quickly. */
  visibilityTimeoutSeconds?: number;
}

let stageCounter = 0;

function uniqueStage(): string {
  stageCounter += 1;
  return `t${process.pid}n${stageCounter}`;
}

export async function startStack(options: StageOptions = {}): Promise<TestStack> {
  const emulators = await startEmulators();
  const clients = localClients(emulators);
  let restoreEnv: (() => void) | undefined;

  const stack: TestStack = {
    emulators,
    stage: undefined as unknown as ProvisionedStage,
    env: {},
    clients,
    async freshStage(stageOptions: StageOptions = {}) {
      const stage = await provision(emulators, {
        stage: stageOptions.stage ?? uniqueStage(),
        visibilityTimeoutSeconds: stageOptions.visibilityTimeoutSeconds ?? 2,
      });
      restoreEnv?.();
      stack.env = stackEnvironment(emulators, stage);
      restoreEnv = applyEnvironment(stack.env);
      stack.stage = stage;
      return stage;
    },
    async teardown() {
      resetClients(); // the app's shared clients must not outlive these emulators
      restoreEnv?.();
      restoreEnv = undefined;
      clients.destroy();
      await emulators.stop();
    },
  };
  try {
    await stack.freshStage(options);
  } catch (error) {
    await stack.teardown();
    throw error;
  }
  return stack;
}
