// The report's data: per-(source, day) aggregates read from the aggregates table, and the terminal table.
import { queryItems, scanItems } from '../aws/dynamodb.js';
import type { Config } from '../config.js';
import {
  SOURCE_PK_PREFIX,
  daySortKey,
  decodeAggregateRow,
  sourceDayKey,
  type Counters,
} from '../domain/aggregation.js';
import { LABELS } from '../domain/sentiment.js';
import { UsageError } from '../errors.js';
import { DAY_PATTERN } from './rescore.js';

export interface ReportQuery {
  /** First and last day (UTC, YYYY-MM-DD), inclusive. */
  from?: string;
  to?: string;
  source?: string;
}

export type ReportRow = { source: string; day: string; meanScore: number } & Counters;

const LOWEST_DAY = '0000-00-00';
const HIGHEST_DAY = '9999-99-99';

/** A day range the caller gave (the report CLI's flags): a UsageError names the flag. */
export function validateQuery(query: ReportQuery): void {
  for (const [flag, day] of [
    ['--from', query.from],
    ['--to', query.to],
  ] as const) {
    if (day !== undefined && !DAY_PATTERN.test(day)) throw new UsageError(`${flag} must be YYYY-MM-DD, got "${day}"`);
  }
  if (query.from && query.to && query.from > query.to)
    throw new UsageError(`--from ${query.from} is after --to ${query.to}`);
}

function toRow(item: Record<string, unknown>): ReportRow | undefined {
  const row = decodeAggregateRow(item);
  // A (source, day) whose results were all removed keeps an item with zero counts: nothing to show.
  if (!row || row.source === undefined || !(row.counters.count > 0)) return undefined;
  return { source: row.source, day: row.day, ...row.counters, meanScore: row.counters.scoreSum / row.counters.count };
}

/**
 * The source aggregates in range, sorted by source then day. With a source: one Query on its partition.
 * Without: a filtered Scan, the only way to find every source (idempotency markers are skipped by the filter).
 */
export async function loadReportRows(config: Config, query: ReportQuery = {}): Promise<ReportRow[]> {
  validateQuery(query);
  const from = daySortKey(query.from ?? LOWEST_DAY);
  const to = daySortKey(query.to ?? HIGHEST_DAY);
  const items =
    query.source !== undefined
      ? queryItems(config.tables.aggregates, {
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': sourceDayKey(query.source, '').pk, ':from': from, ':to': to },
        })
      : scanItems(config.tables.aggregates, {
          FilterExpression: 'begins_with(pk, :prefix) AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':prefix': SOURCE_PK_PREFIX, ':from': from, ':to': to },
        });
  const rows: ReportRow[] = [];
  for await (const item of items) {
    const row = toRow(item);
    if (row) rows.push(row);
  }
  return rows.sort((a, b) => a.source.localeCompare(b.source) || a.day.localeCompare(b.day));
}

export function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((100 * part) / whole)}%` : '-';
}

export function signed(value: number, digits = 3): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

/** The rows as the terminal shows them: one line per (source, day), label counts with their shares. */
export function tableLines(rows: readonly ReportRow[]): string[][] {
  const header = ['source', 'day', 'count', ...LABELS, 'mean score'];
  const body = rows.map((row) => [
    row.source,
    row.day,
    String(row.count),
    ...LABELS.map((label) => `${row[label]} (${percent(row[label], row.count)})`),
    signed(row.meanScore),
  ]);
  return [header, ...body];
}

export function formatTable(rows: readonly ReportRow[]): string {
  if (rows.length === 0) return 'No aggregates in range.';
  const lines = tableLines(rows);
  const widths = lines[0].map((_, column) => Math.max(...lines.map((line) => line[column].length)));
  // Text columns left-aligned, numbers right-aligned.
  const format = (line: string[]) =>
    line
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [format(lines[0]), rule, ...lines.slice(1).map(format)].join('\n');
}
