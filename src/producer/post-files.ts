// Reading posts from JSONL and CSV files for the producer. Every row comes out as a SourceRow: a value
// to validate or the reason it could not be read (bad JSON, wrong CSV column count), so no row vanishes.
import { createReadStream, type ReadStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { recordMapper, resolveColumns, type ColumnMap } from './column-map.js';

export class SourceRow {
  constructor(
    /** Line number in the file (1-based; for CSV the line where the record ends). */
    readonly line: number,
    readonly value: unknown,
    /** Why the row could not be read; value is undefined then. */
    readonly error?: string,
    /** Bytes of the file read so far (for progress). */
    readonly bytesRead = 0,
  ) {}
}

export type PostFileFormat = 'jsonl' | 'csv';

export function formatOf(path: string): PostFileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  throw new Error(`cannot tell the format of ${path}: expected a .jsonl, .ndjson or .csv file`);
}

/** A file's rows; `columns` (--map) names a CSV's columns for the post fields (JSONL rows are the fields). */
export function readPostsFile(
  path: string,
  format: PostFileFormat = formatOf(path),
  columns: ColumnMap = {},
): AsyncGenerator<SourceRow> {
  return format === 'csv' ? readCsv(path, columns) : readJsonl(path);
}

/** One JSON object per line; blank lines are skipped. */
export async function* readJsonl(path: string): AsyncGenerator<SourceRow> {
  const stream = createReadStream(path);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    try {
      yield new SourceRow(line, JSON.parse(text), undefined, stream.bytesRead);
    } catch (error) {
      yield new SourceRow(line, undefined, `invalid JSON: ${(error as Error).message}`, stream.bytesRead);
    }
  }
}

/**
 * CSV with a header row naming the fields (postId,text,createdAt,source,...), or columns the map (and its defaults:
 * id, created_at) reads them from, checked before the first row (MissingColumnError). Other columns are kept as
 * extra fields. Empty cells count as absent.
 */
export async function* readCsv(path: string, columns: ColumnMap = {}): AsyncGenerator<SourceRow> {
  const stream: ReadStream = createReadStream(path);
  const unreadable: SourceRow[] = [];
  let toPost: ReturnType<typeof recordMapper> | undefined;
  const parser = stream.pipe(
    parse({
      columns: (header: string[]) => {
        toPost = recordMapper(resolveColumns(header, columns, path), true);
        return header;
      },
      bom: true,
      skip_empty_lines: true,
      relax_quotes: true,
      info: true,
      // A record that does not parse (wrong column count, unclosed quote) is reported, not fatal to the file.
      skip_records_with_error: true,
      on_skip: (error) => {
        unreadable.push(
          new SourceRow(
            Number((error as { lines?: number } | undefined)?.lines ?? 0),
            undefined,
            `unreadable CSV record: ${error?.message ?? 'unknown error'}`,
            stream.bytesRead,
          ),
        );
      },
    }),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    yield* unreadable.splice(0);
    const cells: Record<string, string> = {};
    for (const [key, cell] of Object.entries(record)) if (cell !== '') cells[key] = cell;
    yield new SourceRow(info.lines, (toPost as NonNullable<typeof toPost>)(cells), undefined, stream.bytesRead);
  }
  yield* unreadable.splice(0);
}
