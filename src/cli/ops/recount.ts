// npm run ops -- recount: Rebuilds stored aggregates from the results table.
import type { Config } from '../../config.js';
import { UsageError } from '../../errors.js';
import {
  DEFAULT_SEGMENTS,
  DEFAULT_SETTLE_SECONDS,
  describeDifference,
  recountAggregates,
  validateRecountOptions,
  type ScanProgress,
} from '../../ops/recount.js';
import { SingleBar, Presets } from 'cli-progress';
import { parse, positiveInteger } from './args.js';
import type { OpsCommand } from './command.js';

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

async function run(config: Config, args: string[]): Promise<number> {
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

export const recountCommand: OpsCommand = {
  usage: `recount --from YYYY-MM-DD --to YYYY-MM-DD [--source S] [--check] [--segments N] [--settle-minutes M]
      Rebuild the stored aggregates of those days from the results table (a parallel Scan of N segments,
      default ${DEFAULT_SEGMENTS}) and print each difference fixed (item, field, stored -> recounted), items without
      results included (set to zero). --check only reports: exit 1 if anything differs, 0 if not. Safe while
      the pipeline runs: an item is written only if unchanged since it was read (else recounted again), and
      only for days whose newest result is older than --settle-minutes (default ${DEFAULT_SETTLE_SECONDS / 60}), so no
      stream record of theirs can still be in flight; newer days are listed as not settled (exit 1). With --source,
      only that source's items (the all-sources items need every source).`,
  run,
};
