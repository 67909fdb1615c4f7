// npm run ops -- worker: Polls the classify queue and runs the classify handler, as Lambda would.
import type { Config } from '../../config.js';
import { sqsClient } from '../../aws/clients.js';
import { classifyQueue } from '../../ops/queues.js';
import { UsageError } from '../../errors.js';
import { parse, positiveInteger } from './args.js';
import type { OpsCommand } from './command.js';

async function run(config: Config, args: string[]): Promise<number> {
  const flags = parse(args, {
    wait: { type: 'string' },
    'batch-size': { type: 'string' },
    timeout: { type: 'string' },
  });
  const waitSeconds = positiveInteger(flags.wait, '--wait');
  if (waitSeconds !== undefined && waitSeconds > 20)
    throw new UsageError('--wait must be at most 20 (the SQS long-poll limit)');
  const queue = await classifyQueue(config);
  if (!config.dlqUrl) {
    const dlq = queue.redrivePolicy?.deadLetterTargetArn ?? 'the DLQ';
    const receives = queue.redrivePolicy?.maxReceiveCount ?? 'several';
    console.error(
      `DLQ_URL is not set: malformed messages reach ${dlq} only after ${receives} receives, without a reason.`,
    );
  }
  const { runWorker } = await import('../../ops/worker.js');
  const { handler } = await import('../../../handlers/classify.js');
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    // A second signal means "now": the batch in hand reappears after its visibility timeout (not lost).
    if (signals > 1) process.exit(1);
    console.error(`${signal}: finishing the batch in hand, then stopping (send again to stop at once)`);
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await runWorker({
    queue,
    region: await sqsClient().config.region(),
    handler: handler as Parameters<typeof runWorker>[0]['handler'],
    signal: stop.signal,
    batchSize: positiveInteger(flags['batch-size'], '--batch-size'),
    waitSeconds,
    timeoutSeconds: positiveInteger(flags.timeout, '--timeout'),
  });
  return 0; // a requested stop is a clean exit: nothing in hand was dropped
}

export const workerCommand: OpsCommand = {
  usage: `worker [--wait SECONDS] [--batch-size N] [--timeout SECONDS]
      Poll the classify queue (QUEUE_URL) and run the classify handler on each batch, as Lambda would,
      until SIGTERM/SIGINT: then the batch in hand is finished, its successes deleted, and it exits 0.`,
  run,
};
