// Operations commands: redrive the DLQ, rescore with another model, report or recount the aggregates, run a worker.
//   npm run ops -- --help
// Targets the stage in STAGE (default dev) or the QUEUE_URL / DLQ_URL / *_TABLE variables; with
// AWS_ENDPOINT_URL_* set, the local emulators.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { resetClients, sqsClient } from '../aws/clients.js';
import { classifyQueue, classifyQueues, visibleMessages } from '../ops/queues.js';
import {
  describeMoveTask,
  listDeadLetters,
  listMoveTasks,
  moveDeadLettersManually,
  startMoveTask,
  type DeadLetterEntry,
} from '../ops/redrive.js';
import { DAY_PATTERN, rescore } from '../ops/rescore.js';
import { formatTable, loadReportRows } from '../ops/report-data.js';
import { formatLanguageMix, loadLanguageMix } from '../ops/language-mix.js';
import { renderReportHtml } from '../ops/report-html.js';
import { UsageError, errorMessage } from '../errors.js';
import {
  DEFAULT_SEGMENTS,
  DEFAULT_SETTLE_SECONDS,
  describeDifference,
  recountAggregates,
  validateRecountOptions,
  type ScanProgress,
} from '../ops/recount.js';
import { SingleBar, Presets } from 'cli-progress';

const HELP =
  'Usage: npm run ops -- <command> [options]      (or npm run redrive|rescore|report|recount|worker -- [options])' +
  `

Commands:
  redrive [--dry-run] [--limit N] [--manual] [--status] [--no-wait] [--rate N]
      Move classify DLQ messages back to the classify queue. On AWS an SQS message move task does it
      (progress is followed until it ends unless --no-wait); against an emulator (AWS_ENDPOINT_URL_SQS),
      with --manual or with --limit, messages are received, sent back (failure attributes dropped) and
      deleted. --dry-run lists the messages (post, failure reason and detail, receives) and moves nothing.
      --status lists the DLQ's recent move tasks. --rate caps a move task's messages per second.
  rescore --model ID [--since YYYY-MM-DD] [--dry-run]
      Re-enqueue every post whose result came from another model or from the lexicon fallback (only
      posts on or after --since). Deploy classify with MODEL_ID=ID first: it rescores them and the
      aggregates follow. --dry-run counts them by model.
  report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--source S] [--out report.html]
      The aggregates per source and day as a table, and the language mix (scored posts per detected
      language per day); with --out also a self-contained HTML page with charts of the daily mean score
      and label shares, and the language mix.
  recount --from YYYY-MM-DD --to YYYY-MM-DD [--source S] [--check] [--segments N] [--settle-minutes M]
      Rebuild the stored aggregates of those days from the results table (a parallel Scan of N segments,
      default ${DEFAULT_SEGMENTS}) and print each difference fixed (item, field, stored -> recounted), items without
      results included (set to zero). --check only reports: exit 1 if anything differs, 0 if not. Safe while
      the pipeline runs: an item is written only if unchanged since it was read (else recounted again), and
      only for days whose newest result is older than --settle-minutes (default ` +
  `${DEFAULT_SETTLE_SECONDS / 60}), so no stream
      record of theirs can still be in flight; newer days are listed as not settled (exit 1). With --source,
      only that source's items (the all-sources items need every source).
  worker [--wait SECONDS] [--batch-size N] [--timeout SECONDS]
      Poll the classify queue (QUEUE_URL) and run the classify handler on each batch, as Lambda would,
      until SIGTERM/SIGINT: then the batch in hand is finished, its successes deleted, and it exits 0.

Environment: STAGE (default dev), QUEUE_URL, DLQ_URL, POSTS_TABLE, RESULTS_TABLE, AGGREGATES_TABLE, AWS_REGION,
AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_DYNAMODB (local emulators); the worker also reads the classify settings
(MODEL_ID, MODEL_DIR, ...).`;

/** A dry run holds what it lists (invisible) until it ends: keep that bounded unless asked for more. */
const DRY_RUN_DEFAULT_LIMIT = 1000;

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

function parse<T extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function printDeadLetters(entries: DeadLetterEntry[]): void {
  if (entries.length === 0) return;
  const rows = [
    ['message id', 'post id', 'reason', 'receives', 'failed at', 'detail'],
    ...entries.map((e) => [
      e.messageId,
      e.postId ?? '(unparseable)',
      e.reason,
      String(e.receiveCount),
      e.failedAt ?? '',
      e.detail ?? '',
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.min(40, Math.max(...rows.map((r) => r[i].length))));
  for (const row of rows)
    console.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
}

async function redriveCommand(config: Config, args: string[]): Promise<number> {
  const flags = parse(args, {
    'dry-run': { type: 'boolean' },
    limit: { type: 'string' },
    manual: { type: 'boolean' },
    status: { type: 'boolean' },
    'no-wait': { type: 'boolean' },
    rate: { type: 'string' },
  });
  const limit = positiveInteger(flags.limit, '--limit');
  const rate = positiveInteger(flags.rate, '--rate');
  const { classify, dlq } = await classifyQueues(config);
  if (flags.status) {
    const tasks = await listMoveTasks(dlq);
    console.log(tasks.length === 0 ? `No move tasks for ${dlq.name}.` : tasks.map(describeMoveTask).join('\n'));
    return 0;
  }
  if (flags['dry-run']) {
    const shown = limit ?? DRY_RUN_DEFAULT_LIMIT;
    const entries = await listDeadLetters(config, dlq, shown);
    printDeadLetters(entries);
    const byReason = new Map<string, number>();
    for (const e of entries) byReason.set(e.reason, (byReason.get(e.reason) ?? 0) + 1);
    const reasons = [...byReason]
      .sort((a, b) => b[1] - a[1])
      .map(([reason, n]) => `${n} ${reason}`)
      .join(', ');
    const held = entries.length >= shown ? (await visibleMessages(dlq.url)) + entries.length : 0;
    const more = held > 0 ? ` Listed the first ${shown}; the DLQ holds about ${held} (--limit N to list more).` : '';
    console.log(
      `${entries.length} message(s) in ${dlq.name}${reasons ? ` (${reasons})` : ''}. Dry run: nothing moved.${more}`,
    );
    return 0;
  }
  const manual = flags.manual || config.sqsEndpoint !== undefined || limit !== undefined;
  if (manual) {
    const why = flags.manual ? '--manual' : config.sqsEndpoint ? 'SQS emulator' : '--limit';
    console.log(`Moving messages ${dlq.name} -> ${classify.name} by receive/send/delete (${why})...`);
    const result = await moveDeadLettersManually(dlq, classify, limit);
    console.log(`Moved ${result.moved} message(s) to ${classify.name}.`);
    if (result.notDeleted > 0)
      console.log(
        `${result.notDeleted} were sent but not deleted from the DLQ; a later redrive sends them again (harmless).`,
      );
    for (const f of result.failed) console.error(`Not moved ${f.messageId}: ${f.error}`);
    return result.failed.length > 0 ? 1 : 0;
  }
  const handle = await startMoveTask(dlq, classify, rate);
  console.log(`Started message move task ${dlq.name} -> ${classify.name} (task ${handle}).`);
  if (flags['no-wait']) return 0;
  for (let last = ''; ; ) {
    const task = (await listMoveTasks(dlq)).find((t) => t.TaskHandle === handle);
    const line = task ? describeMoveTask(task) : 'task not listed yet';
    if (line !== last) console.log(line);
    last = line;
    if (task && task.Status !== 'RUNNING' && task.Status !== 'CANCELLING') return task.Status === 'COMPLETED' ? 0 : 1;
    await new Promise((r) => setTimeout(r, 5000));
  }
}

async function rescoreCommand(config: Config, args: string[]): Promise<number> {
  const flags = parse(args, {
    model: { type: 'string' },
    multilingual: { type: 'string' },
    since: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  if (!flags.model) throw new UsageError('rescore needs --model ID (the model classify now runs with)');
  // Posts classify routed to the multilingual model are current results, not ones to rescore.
  const multilingual = flags.multilingual ?? config.multilingualModelId;
  if (flags.since !== undefined && !DAY_PATTERN.test(flags.since))
    throw new UsageError(`--since must be YYYY-MM-DD, got "${flags.since}"`);
  const queue = flags['dry-run'] ? undefined : await classifyQueue(config);
  const result = await rescore(config, queue, {
    modelId: flags.model,
    alsoCurrent: multilingual && multilingual !== 'none' ? [multilingual] : [],
    since: flags.since,
    dryRun: flags['dry-run'],
    onProgress: (p) => process.stderr.write(`\rscanned ${p.scanned} results, ${p.matched} to rescore...`),
  });
  process.stderr.write('\n');
  const models = Object.entries(result.byModel)
    .map(([model, n]) => `${n} from ${model}`)
    .join(', ');
  const scope = flags.since ? ` on or after ${flags.since}` : '';
  const byModel = models ? ` (${models})` : '';
  if (flags['dry-run'])
    console.log(`${result.matched} post(s)${scope} not scored by ${flags.model}${byModel}. Dry run: nothing enqueued.`);
  else
    console.log(
      `Enqueued ${result.enqueued} post(s)${scope} for rescoring with ${flags.model}${byModel} to ${queue!.name}.`,
    );
  for (const f of result.failed.slice(0, 20)) console.error(`Not enqueued ${f.postId}: ${f.error}`);
  if (result.failed.length > 0)
    console.error(`${result.failed.length} post(s) not enqueued; run rescore again to retry them.`);
  return result.failed.length > 0 ? 1 : 0;
}

async function reportCommand(config: Config, args: string[]): Promise<number> {
  const flags = parse(args, {
    from: { type: 'string' },
    to: { type: 'string' },
    source: { type: 'string' },
    out: { type: 'string' },
  });
  const query = { from: flags.from, to: flags.to, source: flags.source };
  for (const [flag, day] of [
    ['--from', query.from],
    ['--to', query.to],
  ] as const) {
    if (day !== undefined && !DAY_PATTERN.test(day)) throw new UsageError(`${flag} must be YYYY-MM-DD, got "${day}"`);
  }
  if (query.from && query.to && query.from > query.to)
    throw new UsageError(`--from ${query.from} is after --to ${query.to}`);
  const rows = await loadReportRows(config, query);
  console.log(formatTable(rows));
  const languageMix = await loadLanguageMix(config, query);
  console.log(`\nLanguage mix (scored posts per detected language per day):\n${formatLanguageMix(languageMix)}`);
  if (flags.out) {
    const path = resolve(flags.out);
    await writeFile(path, renderReportHtml(rows, query, new Date(), languageMix));
    console.log(`\nWrote ${path}`);
  }
  return 0;
}

/** A progress bar on a terminal; otherwise a plain line at most every few seconds (logs, CI). */
function scanProgress(): { update: (p: ScanProgress) => void; stop: () => void } {
  if (process.stdout.isTTY) {
    const bar = new SingleBar(
      {
        format: 'recount [{bar}] {percentage}% | scanned {value}/{total} results | in range {matched}',
        stream: process.stderr,
      },
      Presets.shades_classic,
    );
    let started = false;
    return {
      update: (p) => {
        const total = Math.max(p.total ?? 0, p.scanned);
        if (!started) bar.start(total, 0, { matched: 0 });
        started = true;
        bar.setTotal(total);
        bar.update(p.scanned, { matched: p.matched });
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    update: (p) => {
      if (Date.now() - last < 2000) return;
      last = Date.now();
      console.error(
        `recount: scanned ${p.scanned}${p.total ? ` of about ${p.total}` : ''} results, ${p.matched} in range`,
      );
    },
    stop: () => undefined,
  };
}

async function recountCommand(config: Config, args: string[]): Promise<number> {
  const flags = parse(args, {
    from: { type: 'string' },
    to: { type: 'string' },
    source: { type: 'string' },
    check: { type: 'boolean' },
    segments: { type: 'string' },
    'settle-minutes': { type: 'string' },
  });
  const settleMinutes = flags['settle-minutes'] === undefined ? undefined : Number(flags['settle-minutes']);
  if (settleMinutes !== undefined && !(settleMinutes >= 0))
    throw new UsageError(`--settle-minutes must be a number >= 0, got "${flags['settle-minutes']}"`);
  const options = {
    from: flags.from!,
    to: flags.to!,
    source: flags.source,
    check: flags.check,
    segments: positiveInteger(flags.segments, '--segments'),
    settleSeconds: settleMinutes === undefined ? undefined : settleMinutes * 60,
  };
  try {
    validateRecountOptions(options);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const progress = scanProgress();
  const result = await recountAggregates(config, { ...options, onProgress: progress.update }).finally(progress.stop);
  const sources = options.source === undefined ? 'all sources' : `source ${options.source}`;
  const scope = `${options.from}..${options.to}, ${sources}`;
  console.log(
    `Recount ${scope}: ${result.counted} result(s) in range (${result.scanned} scanned), ` +
      `${result.compared} aggregate item(s) compared.`,
  );
  for (const invalid of result.invalid.slice(0, 20)) console.log(`not countable ${invalid.postId}: ${invalid.error}`);
  if (result.invalid.length > 0)
    console.log(`${result.invalid.length} result(s) cannot be counted (the aggregate handler rejects them too).`);
  for (const difference of result.differences) console.log(describeDifference(difference));
  const by = (status: string) => result.differences.filter((d) => d.status === status).length;
  const unsettled = by('not-settled');
  const notes = [
    unsettled
      ? `${unsettled} on days with results newer than the settle time, left alone ` +
        '(stream records may be in flight: run again later)'
      : '',
    by('conflict') ? `${by('conflict')} changed under each of ${result.rounds} attempts, not written (run again)` : '',
  ]
    .filter(Boolean)
    .join('; ');
  if (result.differences.length === 0) console.log('No differences: the aggregates equal the results.');
  else if (options.check)
    console.log(`${result.differences.length} item(s) differ. --check: nothing written.${notes ? ` (${notes})` : ''}`);
  else console.log(`${result.differences.length} item(s) differed, ${by('fixed')} fixed.${notes ? ` ${notes}.` : ''}`);
  return options.check ? (result.differences.length > 0 ? 1 : 0) : by('fixed') < result.differences.length ? 1 : 0;
}

async function workerCommand(config: Config, args: string[]): Promise<number> {
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
  const { runWorker } = await import('../ops/worker.js');
  const { handler } = await import('../../handlers/classify.js');
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

const COMMANDS: Record<string, (config: Config, args: string[]) => Promise<number>> = {
  redrive: redriveCommand,
  rescore: rescoreCommand,
  report: reportCommand,
  recount: recountCommand,
  worker: workerCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) throw new UsageError(`unknown command "${command}"`);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  return run(loadConfig(), args);
}

main(process.argv.slice(2)).then(
  (code) => {
    resetClients();
    process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`${error.message}\n\nRun with --help for usage.`);
    else console.error(`Error: ${errorMessage(error)}`);
    resetClients();
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
