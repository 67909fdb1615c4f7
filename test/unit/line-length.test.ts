// Issue #14: every tracked source line stays readable, at most 120 characters. biome (lineWidth 120) cannot
// break long string literals, template strings, test names or YAML, so this test keeps those in check too.
// A character is a code point: a line of Urdu or emoji counts what the reader sees, not its UTF-8 bytes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_CHARACTERS = 120;
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|py|sh|yml|yaml)$/;

/**
 * Files that may hold longer lines, each with the reason (a file another branch is rewriting, say). Empty now:
 * every tracked source line fits. A listed file with no long line left fails below, so an entry goes once its file
 * is wrapped.
 */
const ALLOWED: Record<string, string> = {};

function trackedSources(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return listed
    .split('\0')
    .filter((path) => SOURCE.test(path) && existsSync(join(ROOT, path)))
    .sort();
}

/** `path:line: N characters` for each line of the file longer than the limit. */
function longLines(path: string): string[] {
  return readFileSync(join(ROOT, path), 'utf8')
    .split(/\r?\n/)
    .flatMap((line, i) => {
      const characters = [...line].length;
      return characters > MAX_CHARACTERS ? [`${path}:${i + 1}: ${characters} characters`] : [];
    });
}

describe('line length', () => {
  const files = trackedSources();

  it(`every tracked source line is at most ${MAX_CHARACTERS} characters, outside the allowed files`, () => {
    assert.ok(files.length > 100, `git ls-files found only ${files.length} source files`);
    const over = files.filter((path) => !(path in ALLOWED)).flatMap(longLines);
    assert.deepEqual(
      over,
      [],
      `lines over ${MAX_CHARACTERS} characters (split long strings into concatenated parts, wrap comments):\n` +
        over.join('\n'),
    );
  });

  it('every allowed file is tracked and still has a long line (else drop its entry)', () => {
    const stale = Object.keys(ALLOWED).filter((path) => !files.includes(path) || longLines(path).length === 0);
    assert.deepEqual(stale, [], `allow-list entries to remove: ${stale.join(', ')}`);
  });
});
