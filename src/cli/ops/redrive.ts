// npm run ops -- redrive: Moves the classify DLQ back to the queue, or lists it (--dry-run).
import type { Config } from '../../config.js';
import { classifyQueues, visibleMessages } from '../../ops/queues.js';
import {
  describeMoveTask,
  listDeadLetters,
  listMoveTasks,
  moveDeadLettersManually,
  startMoveTask,
  type DeadLetterEntry,
} from '../../ops/redrive.js';
import { UsageError } from '../../errors.js';
import { parse, positiveInteger } from './args.js';
import type { OpsCommand } from './command.js';

/** A dry run holds what it lists (invisible) until it ends: keep that bounded unless asked for more. */
const DRY_RUN_DEFAULT_LIMIT = 1000;

/**
 * The listing as data (`--dry-run --json`): one object per message, every key always present (null when
 * unknown), so a script can tell a failed post from a pending one.
 */
export function deadLettersJson(entries: readonly DeadLetterEntry[]): string {
  return JSON.stringify(
    entries.map((e) => ({
      messageId: e.messageId,
      postId: e.postId ?? null,
      reason: e.reason,
      detail: e.detail ?? null,
      receiveCount: e.receiveCount,
      failedAt: e.failedAt ?? null,
      sentAt: e.sentAt ?? null,
    })),
  );
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

async function run(config: Config, args: string[]): Promise<number> {
  const flags = parse(args, {
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    limit: { type: 'string' },
    manual: { type: 'boolean' },
    status: { type: 'boolean' },
    'no-wait': { type: 'boolean' },
    rate: { type: 'string' },
  });
  const limit = positiveInteger(flags.limit, '--limit');
  const rate = positiveInteger(flags.rate, '--rate');
  if (flags.json && !flags['dry-run']) throw new UsageError('--json goes with --dry-run (the listing as data)');
  const { classify, dlq } = await classifyQueues(config);
  if (flags.status) {
    const tasks = await listMoveTasks(dlq);
    console.log(tasks.length === 0 ? `No move tasks for ${dlq.name}.` : tasks.map(describeMoveTask).join('\n'));
    return 0;
  }
  if (flags['dry-run']) {
    const shown = limit ?? DRY_RUN_DEFAULT_LIMIT;
    const entries = await listDeadLetters(config, dlq, shown);
    if (flags.json) console.log(deadLettersJson(entries));
    else printDeadLetters(entries);
    const byReason = new Map<string, number>();
    for (const e of entries) byReason.set(e.reason, (byReason.get(e.reason) ?? 0) + 1);
    const reasons = [...byReason]
      .sort((a, b) => b[1] - a[1])
      .map(([reason, n]) => `${n} ${reason}`)
      .join(', ');
    const held = entries.length >= shown ? (await visibleMessages(dlq.url)) + entries.length : 0;
    const more = held > 0 ? ` Listed the first ${shown}; the DLQ holds about ${held} (--limit N to list more).` : '';
    // With --json, stdout is the array alone; the summary goes to stderr.
    (flags.json ? console.error : console.log)(
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

export const redriveCommand: OpsCommand = {
  usage: `redrive [--dry-run [--json]] [--limit N] [--manual] [--status] [--no-wait] [--rate N]
      Move classify DLQ messages back to the classify queue. On AWS an SQS message move task does it
      (progress is followed until it ends unless --no-wait); against an emulator (AWS_ENDPOINT_URL_SQS),
      with --manual or with --limit, messages are received, sent back (failure attributes dropped) and
      deleted. --dry-run lists the messages (post, failure reason and detail, receives) and moves nothing;
      with --json the list is one JSON array on stdout of {messageId, postId, reason, detail, receiveCount,
      failedAt, sentAt} (null when unknown) and the summary goes to stderr.
      --status lists the DLQ's recent move tasks. --rate caps a move task's messages per second.`,
  run,
};
