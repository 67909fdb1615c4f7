// An ingest from PostgreSQL: the source's posts through the same ingestPosts as a file's, in id order, with a
// checkpoint after each round so `--resume` continues after the last row done (see resume-state.ts).
import { ingestPosts, type IngestOptions, type IngestSummary } from './ingest.js';
import { PostgresSource, type PostgresSourceOptions } from './postgres-source.js';
import { ResumeState, type ResumeCheckpoint } from './resume-state.js';

export interface PostgresIngestOptions
  extends PostgresSourceOptions,
    Omit<IngestOptions, 'orderedByPostId' | 'onRound'> {
  /** Continue after the checkpoint an earlier run of the same source left (from the first row if there is none). */
  resume: boolean;
  /** Where the checkpoints are kept. */
  resumeDir: string;
  /** Once the source is checked, before the first row: what it is, how many rows this run reads, where it resumes. */
  onStart?: (start: PostgresIngestStart) => void;
}

export interface PostgresIngestStart {
  /** The source without its password, e.g. `postgres://app@db:5432/app table tweets`. */
  source: string;
  rows: number;
  resumedAfter?: ResumeCheckpoint;
  statePath: string;
}

export interface PostgresIngest extends PostgresIngestStart {
  summary: IngestSummary;
}

/** Reads the source and ingests its posts; every error it throws has the password masked. */
export async function ingestFromPostgres(options: PostgresIngestOptions): Promise<PostgresIngest> {
  const source = await PostgresSource.open(options);
  try {
    const state = new ResumeState(options.resumeDir, source.identity);
    const resumedAfter = options.resume ? state.read() : undefined;
    const after = resumedAfter?.lastKey;
    const start = { source: source.description, rows: await source.count(after), resumedAfter, statePath: state.path };
    options.onStart?.(start);
    const rowsBefore = resumedAfter?.rows ?? 0;
    const summary = await ingestPosts(source.posts(after), {
      ...options,
      orderedByPostId: true,
      onRound: (sofar) => {
        // Only while nothing failed: a failed post must be read again by a resumed run.
        if (sofar.failed.length > 0 || source.lastKey === undefined) return;
        state.write({
          source: source.description,
          lastKey: source.lastKey,
          rows: rowsBefore + sofar.read,
          updatedAt: new Date().toISOString(),
        });
      },
    });
    return { ...start, summary };
  } catch (error) {
    if (error instanceof Error) error.message = source.mask(error.message);
    throw error;
  } finally {
    await source.close();
  }
}
