// The language detector's tables (models/language/): read once, on the first text that needs one, from beside the
// configured models (MODEL_DIR) first, else from where the code ships them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LANGUAGE_DIR, loadConfig } from '../config.js';
import { errorMessage } from '../errors.js';
import { logger } from '../observability.js';

/**
 * Reads and parses models/language/<name>, or answers null when no copy can be read (logged as an error: the
 * tables ship beside the models, and the package-size test checks the zip has them, so that is a packaging fault).
 * `consequence` says what the detector does without it.
 */
function readLanguageTable<T>(name: string, parse: (bytes: Buffer) => T, consequence: string): T | null {
  const config = loadConfig();
  const tried: Array<{ path: string; error: string }> = [];
  for (const path of [join(config.model.dir, LANGUAGE_DIR, name), join(config.languageDir, name)]) {
    try {
      return parse(readFileSync(path));
    } catch (error) {
      tried.push({ path, error: errorMessage(error) }); // then the next
    }
  }
  logger.error(`Language table ${name} unreadable; ${consequence}`, { tried });
  return null;
}

/**
 * readLanguageTable, once: the returned function reads the table on its first call and answers the same table (or
 * null: one error logged, not one per post) on every later one.
 */
export function languageTable<T>(name: string, parse: (bytes: Buffer) => T, consequence: string): () => T | null {
  let table: T | null | undefined;
  return () => {
    if (table === undefined) table = readLanguageTable(name, parse, consequence);
    return table;
  };
}
