// The language mix: scored posts per detected language (flags.language) per day, counted from the results table
// (the aggregates count labels, not languages). Shown by `npm run report` and by the local run.
import { scanItems } from '../aws/dynamodb.js';
import type { Config } from '../config.js';
import type { ReportQuery } from './report-data.js';

/** One day: posts per detected language (ISO 639-3, 'und' when undetermined or not recorded). */
export interface LanguageMixDay {
  day: string;
  count: number;
  languages: Record<string, number>;
}

interface ResultLanguage {
  day?: unknown;
  source?: unknown;
  flags?: { language?: unknown };
}

/** Tallies results by day and detected language, in day order; results outside the query are left out. */
export function tallyLanguageMix(results: Iterable<ResultLanguage>, query: ReportQuery = {}): LanguageMixDay[] {
  const days = new Map<string, LanguageMixDay>();
  for (const result of results) {
    const day = String(result.day ?? '');
    if ((query.from && day < query.from) || (query.to && day > query.to)) continue;
    if (query.source !== undefined && result.source !== query.source) continue;
    const language = typeof result.flags?.language === 'string' ? result.flags.language : 'und';
    let entry = days.get(day);
    if (!entry) days.set(day, (entry = { day, count: 0, languages: {} }));
    entry.count += 1;
    entry.languages[language] = (entry.languages[language] ?? 0) + 1;
  }
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}

/** Scans the results table for the day, source and language of each result. */
export async function loadLanguageMix(config: Config, query: ReportQuery = {}): Promise<LanguageMixDay[]> {
  const results: ResultLanguage[] = [];
  const items = scanItems(config.tables.results, {
    ProjectionExpression: '#day, #source, flags.#language',
    ExpressionAttributeNames: { '#day': 'day', '#source': 'source', '#language': 'language' },
  });
  for await (const item of items) results.push(item as ResultLanguage);
  return tallyLanguageMix(results, query);
}

/** The languages of the days, most posts first (the columns of the mix's tables). */
export function mixLanguages(days: readonly LanguageMixDay[]): string[] {
  const totals = new Map<string, number>();
  for (const d of days)
    for (const [language, n] of Object.entries(d.languages)) totals.set(language, (totals.get(language) ?? 0) + n);
  return [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([language]) => language);
}

/** Languages as columns, most posts first; one line per day. */
export function formatLanguageMix(days: readonly LanguageMixDay[]): string {
  if (days.length === 0) return 'No scored posts in range.';
  const languages = mixLanguages(days);
  const lines = [
    ['day', 'posts', ...languages],
    ...days.map((d) => [d.day, String(d.count), ...languages.map((l) => String(d.languages[l] ?? 0))]),
  ];
  const widths = lines[0].map((_, column) => Math.max(...lines.map((line) => line[column].length)));
  const format = (line: string[]) =>
    line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [format(lines[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.slice(1).map(format)].join('\n');
}
