// npm run ops -- rescore: Re-enqueues posts whose result came from another model or the lexicon fallback.
import { parseMultilingualModelIds, type Config } from '../../config.js';
import { classifyQueue } from '../../ops/queues.js';
import { DAY_PATTERN, rescore } from '../../ops/rescore.js';
import { UsageError } from '../../errors.js';
import { parse } from './args.js';
import type { OpsCommand } from './command.js';

async function run(config: Config, args: string[]): Promise<number> {
  const flags = parse(args, {
    model: { type: 'string' },
    multilingual: { type: 'string' },
    since: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  if (!flags.model) throw new UsageError('rescore needs --model ID (the model classify now runs with)');
  // Posts classify routed to any of the routed models are current results, not ones to rescore.
  let routed = config.multilingualModelIds;
  if (flags.multilingual !== undefined) {
    try {
      routed = parseMultilingualModelIds(flags.multilingual, '--multilingual');
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (flags.since !== undefined && !DAY_PATTERN.test(flags.since))
    throw new UsageError(`--since must be YYYY-MM-DD, got "${flags.since}"`);
  const queue = flags['dry-run'] ? undefined : await classifyQueue(config);
  const result = await rescore(config, queue, {
    modelId: flags.model,
    alsoCurrent: routed,
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

export const rescoreCommand: OpsCommand = {
  usage: `rescore --model ID [--multilingual ID,ID|none] [--since YYYY-MM-DD] [--dry-run]
      Re-enqueue every post whose result came from another model or from the lexicon fallback (only
      posts on or after --since). Deploy classify with MODEL_ID=ID first: it rescores them and the
      aggregates follow. Results of the routed models (--multilingual, default $MULTILINGUAL_MODEL_ID)
      count as current. --dry-run counts them by model.`,
  run,
};
