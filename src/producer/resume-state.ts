// Where an ingest from PostgreSQL got to, for `--resume`: one small JSON file per source (server, database, user,
// table or query, map, zone), holding the id of the last row whose rows, and every one before it, are stored and
// enqueued (or rejected). Written after each round by rename, so a kill -9 leaves the previous checkpoint or the
// next one, never half a file.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Default directory of the state files (in the directory ingest runs in). */
export const DEFAULT_RESUME_DIR = '.ingest-resume';

export interface ResumeCheckpoint {
  /** The source as the summary names it (no password). */
  source: string;
  /** The id column's value (as text) of the last row done: a resumed run reads the rows after it. */
  lastKey: string;
  /** Rows read up to that row, this run and the runs it resumed. */
  rows: number;
  updatedAt: string;
}

export class ResumeState {
  readonly path: string;

  constructor(dir: string, identity: string) {
    this.path = join(dir, `${createHash('sha256').update(identity).digest('hex').slice(0, 16)}.json`);
  }

  /** The last checkpoint, or undefined when this source has none (or it is unreadable: start over). */
  read(): ResumeCheckpoint | undefined {
    try {
      const checkpoint = JSON.parse(readFileSync(this.path, 'utf8')) as ResumeCheckpoint;
      return typeof checkpoint.lastKey === 'string' ? checkpoint : undefined;
    } catch {
      return undefined;
    }
  }

  write(checkpoint: ResumeCheckpoint): void {
    mkdirSync(join(this.path, '..'), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
    renameSync(temporary, this.path);
  }
}
