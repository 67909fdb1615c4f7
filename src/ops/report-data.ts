// The report's data: per-(source, day) aggregates read from the aggregates table, and the terminal table.
import { paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws/clients.js';
import type { Config } from '../config.js';
import { sourceDayKey } from '../domain/aggregation.js';
import { LABELS, type Label } from '../domain/sentiment.js';
import { DAY_PATTERN } from './rescore.js';

export interface ReportQuery {
  /** First and last day (UTC, YYYY-MM-DD), inclusive. */
  from?: string;
  to?: string;
  source?: string;
}

export type ReportRow = { source: string; day: string; count: number; scoreSum: number; meanScore: number } & Record<Label, number>;

const SOURCE_PK_PREFIX = sourceDayKey('', '').pk;
const DAY_SK_PREFIX = sourceDayKey('', '').sk;
const LOWEST_DAY = '0000-00-00';
const HIGHEST_DAY = '9999-99-99';

export function validateQuery(query: ReportQuery): void {
  for (const [flag, day] of [['--from', query.from], ['--to', query.to]] as const) {
    if (day !== undefined && !DAY_PATTERN.test(day)) throw new Error(`${flag} must be YYYY-MM-DD, got "${day}"`);
  }
  if (query.from && query.to && query.from > query.to) throw new Error(`--from ${query.from} is after --to ${query.to}`);
}

function toRow(item: Record<string, unknown>): ReportRow | undefined {
  const pk = String(item.pk);
  const sk = String(item.sk);
  const count = Number(item.count ?? 0);
  // A (source, day) whose results were all removed keeps an item with zero counts: nothing to show.
  if (!pk.startsWith(SOURCE_PK_PREFIX) || !sk.startsWith(DAY_SK_PREFIX) || !(count > 0)) return undefined;
  const scoreSum = Number(item.scoreSum ?? 0);
  const row = { source: pk.slice(SOURCE_PK_PREFIX.length), day: sk.slice(DAY_SK_PREFIX.length), count, scoreSum, meanScore: scoreSum / count } as ReportRow;
  for (const label of LABELS) row[label] = Number(item[label] ?? 0);
  return row;
}

/**
 * The source aggregates in range, sorted by source then day. With a source: one Query on its partition.
 * Without: a filtered Scan, the only way to find every source (idempotency markers are skipped by the filter).
 */
export async function loadReportRows(config: Config, query: ReportQuery = {}): Promise<ReportRow[]> {
  validateQuery(query);
  const from = `${DAY_SK_PREFIX}${query.from ?? LOWEST_DAY}`;
  const to = `${DAY_SK_PREFIX}${query.to ?? HIGHEST_DAY}`;
  const client = { client: documentClient() };
  const pages = query.source !== undefined
    ? paginateQuery(client, {
      TableName: config.tables.aggregates,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': sourceDayKey(query.source, '').pk, ':from': from, ':to': to },
    })
    : paginateScan(client, {
      TableName: config.tables.aggregates,
      FilterExpression: 'begins_with(pk, :prefix) AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':prefix': SOURCE_PK_PREFIX, ':from': from, ':to': to },
    });
  const rows: ReportRow[] = [];
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const row = toRow(item);
      if (row) rows.push(row);
    }
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
  const header = ['source', 'day', 'count', 'negative', 'neutral', 'positive', 'mean score'];
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
  const format = (line: string[]) => line.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [format(lines[0]), rule, ...lines.slice(1).map(format)].join('\n');
}
