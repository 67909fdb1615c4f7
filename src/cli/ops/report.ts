// npm run ops -- report: Prints the aggregates and the language mix; writes the HTML report.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '../../config.js';
import { formatTable, loadReportRows } from '../../ops/report-data.js';
import { formatLanguageMix, loadLanguageMix } from '../../ops/language-mix.js';
import { renderReportHtml } from '../../ops/report-html.js';
import { parse } from './args.js';
import type { OpsCommand } from './command.js';

async function run(config: Config, args: string[]): Promise<number> {
  const flags = parse(args, {
    from: { type: 'string' },
    to: { type: 'string' },
    source: { type: 'string' },
    out: { type: 'string' },
  });
  const query = { from: flags.from, to: flags.to, source: flags.source };
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

export const reportCommand: OpsCommand = {
  usage: `report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--source S] [--out report.html]
      The aggregates per source and day as a table, and the language mix (scored posts per detected
      language per day); with --out also a self-contained HTML page with charts of the daily mean score
      and label shares, and the language mix.`,
  run,
};
