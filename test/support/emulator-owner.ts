// A process that starts the emulators, prints DynamoDB Local's pid and waits: the emulator tests
// kill it in different ways and check no java is left behind.
import { startEmulators } from '../../src/local/emulators.js';

const emulators = await startEmulators();
console.log(JSON.stringify({ javaPid: emulators.dynamodbPid }));
setInterval(() => undefined, 60_000); // stay alive until killed
