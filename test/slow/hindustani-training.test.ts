// The language detector's fitted scorers (romanised Hindustani; Indonesian over Malay): what train_hindustani.py
// fits is what src/classifier/word-scorer.ts scores (same features, same sums), and retrain-hindustani.sh rebuilds the
// shipped tables from ../shared byte for byte. Needs Debian's python3-sklearn (.ci/run installs it) and the shared
// data; without them the tests are reported as skipped, with the reason.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseHindustaniTable } from '../../src/classifier/hindustani.js';
import { parseIndonesianMalayTable } from '../../src/classifier/indonesian-malay.js';
import { scoreWords } from '../../src/classifier/word-scorer.js';

const root = new URL('../../', import.meta.url).pathname;
const data = join(root, '../shared/data/sentiment');
const sklearn = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, scipy'], { stdio: 'ignore' }).status === 0;
const noSklearn = sklearn ? false : 'python3-sklearn not installed (apt-get install -y python3-sklearn)';
// Every test's files go under one folder, removed at the end.
const scratch = mkdtempSync(join(tmpdir(), 'hindustani-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Made-up words (never the data's texts): each group draws from its own syllables, some shared. */
function syntheticRows(): string {
  const syllables: Record<string, string[]> = {
    'urd-Latn': ['bo', 'hat', 'ach', 'kay', 'nay', 'hai', 'ta'],
    hin: ['bah', 'ut', 'acc', 'ha', 'hai', 'kya', 'ta'],
    eng: ['th', 'ing', 'wor', 'ly', 'the', 'ta', 'er'],
    tur: ['ler', 'lar', 'bir', 'cok', 'iyi', 'ta', 'ben'],
    ind: ['nggak', 'gue', 'ban', 'get', 'ya', 'ta', 'kan'],
    msa: ['tak', 'nak', 'ko', 'rang', 'ya', 'ta', 'kan'],
  };
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const lines: string[] = [];
  const groups = Object.keys(syllables);
  for (let i = 0; i < 900; i++) {
    const group = groups[i % groups.length];
    const pick = () => syllables[group][Math.floor(next() * syllables[group].length)];
    const words = Array.from({ length: 3 + Math.floor(next() * 6) }, () => pick() + pick());
    // Two files per Indonesian and Malay group, as the data has (the Indonesian-over-Malay fit weighs files alike).
    const file = group === 'ind' || group === 'msa' ? `${group}-${i % 4 < 2 ? 'a' : 'b'}` : undefined;
    lines.push(JSON.stringify({ group, split: i % 10 === 9 ? 'val' : 'train', file, words: words.join(' ') }));
  }
  return `${lines.join('\n')}\n`;
}

test('the fitted tables score in TypeScript exactly as the fit scored them in Python', { skip: noSklearn }, () => {
  const dir = mkdtempSync(join(scratch, 'case-'));
  writeFileSync(join(dir, 'rows.jsonl'), syntheticRows());
  const args = ['--rows', join(dir, 'rows.jsonl'), '--out', join(dir, 'table.bin'), '--bits', '12'];
  execFileSync(
    '/usr/bin/python3',
    [
      join(root, 'models/training/train_hindustani.py'),
      ...args,
      '--indonesian-out',
      join(dir, 'indonesian.bin'),
      '--check-scores',
      join(dir, 'check.json'),
    ],
    { stdio: 'pipe' },
  );
  const table = parseHindustaniTable(readFileSync(join(dir, 'table.bin')));
  const indonesian = parseIndonesianMalayTable(readFileSync(join(dir, 'indonesian.bin')));
  assert.equal(table.bits, 12);
  assert.equal(indonesian.bits, 12);
  const check = JSON.parse(readFileSync(join(dir, 'check.json'), 'utf8')) as Array<
    Record<'hindustani' | 'urdu' | 'indonesian', number> & { words: string }
  >;
  assert.equal(check.length, 200);
  for (const row of check) {
    const words = row.words.split(' ');
    const [hindustani, urdu] = scoreWords(table, words);
    const [indonesianScore] = scoreWords(indonesian, words);
    assert.ok(Math.abs(hindustani - row.hindustani) < 1e-9, `${row.words}: ${hindustani} vs ${row.hindustani}`);
    assert.ok(Math.abs(urdu - row.urdu) < 1e-9, `${row.words}: ${urdu} vs ${row.urdu}`);
    assert.ok(Math.abs(indonesianScore - row.indonesian) < 1e-9, `${row.words}: ${indonesianScore}`);
  }
  // And they learnt the groups: the Hindustani rows score above the others, Urdu's above Hindi's, Indonesian's
  // above Malay's.
  const rows = syntheticRows()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { group: string; words: string });
  const mean = (group: string, scorer: typeof table, vector: number) => {
    const of = rows.filter((r) => r.group === group);
    return of.reduce((sum, r) => sum + scoreWords(scorer, r.words.split(' '))[vector], 0) / of.length;
  };
  assert.ok(mean('urd-Latn', table, 0) > 0 && mean('eng', table, 0) < 0 && mean('tur', table, 0) < 0);
  assert.ok(mean('urd-Latn', table, 1) > 0 && mean('hin', table, 1) < 0);
  assert.ok(mean('ind', indonesian, 0) > 0 && mean('msa', indonesian, 0) < 0);
});

test('a training set missing a kind of row is a usage error, not a scikit-learn trace, and writes no table', {
  skip: noSklearn,
}, () => {
  const withoutMalay = syntheticRows()
    .split('\n')
    .filter((line) => !line.includes('"msa"'))
    .join('\n');
  const cases: Array<[string, string, RegExp]> = [
    [
      `${JSON.stringify({ group: 'eng', split: 'train', words: 'the cat' })}\n`,
      '',
      /need both romanised Hindustani \(urd-Latn, hin\) and other groups/,
    ],
    [withoutMalay, 'indonesian.bin', /--indonesian-out needs train rows of both ind and msa/],
  ];
  for (const [rows, indonesianOut, message] of cases) {
    const dir = mkdtempSync(join(scratch, 'case-'));
    writeFileSync(join(dir, 'rows.jsonl'), rows);
    const out = [join(dir, 'table.bin'), ...(indonesianOut ? [join(dir, indonesianOut)] : [])];
    const args = ['--rows', join(dir, 'rows.jsonl'), '--out', out[0]];
    if (indonesianOut) args.push('--indonesian-out', out[1]);
    const run = spawnSync('/usr/bin/python3', [join(root, 'models/training/train_hindustani.py'), ...args], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, message);
    for (const path of out) assert.equal(existsSync(path), false, path);
  }
});

test('retrain-hindustani.sh rebuilds both shipped tables byte for byte', {
  skip: noSklearn || (!existsSync(data) && `no training data at ${data}`),
}, () => {
  const dir = mkdtempSync(join(scratch, 'case-'));
  const out = join(dir, 'hindustani.bin');
  execFileSync('bash', [join(root, 'models/training/retrain-hindustani.sh'), data, out], { cwd: root, stdio: 'pipe' });
  for (const name of ['hindustani.bin', 'indonesian-malay.bin']) {
    assert.ok(readFileSync(join(dir, name)).equals(readFileSync(join(root, 'models/language', name))), name);
  }
});
