// The language detector's romanised-Hindustani scorer: what train_hindustani.py fits is what
// src/classifier/hindustani.ts scores (same features, same sums), and retrain-hindustani.sh rebuilds the shipped
// table from ../shared byte for byte. Needs Debian's python3-sklearn (.ci/run installs it) and the shared data;
// without them the tests are reported as skipped, with the reason.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseHindustaniTable, scoreWords } from '../../src/classifier/hindustani.js';

const root = new URL('../../', import.meta.url).pathname;
const data = join(root, '../shared/data/sentiment');
const sklearn = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, scipy'], { stdio: 'ignore' }).status === 0;
const noSklearn = sklearn ? false : 'python3-sklearn not installed (apt-get install -y python3-sklearn)';

/** Made-up words (never the data's texts): each group draws from its own syllables, some shared. */
function syntheticRows(): string {
  const syllables: Record<string, string[]> = {
    'urd-Latn': ['bo', 'hat', 'ach', 'kay', 'nay', 'hai', 'ta'],
    hin: ['bah', 'ut', 'acc', 'ha', 'hai', 'kya', 'ta'],
    eng: ['th', 'ing', 'wor', 'ly', 'the', 'ta', 'er'],
    tur: ['ler', 'lar', 'bir', 'cok', 'iyi', 'ta', 'ben'],
  };
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const lines: string[] = [];
  for (let i = 0; i < 600; i++) {
    const group = Object.keys(syllables)[i % 4];
    const pick = () => syllables[group][Math.floor(next() * syllables[group].length)];
    const words = Array.from({ length: 3 + Math.floor(next() * 6) }, () => pick() + pick());
    lines.push(JSON.stringify({ group, split: i % 10 === 9 ? 'val' : 'train', words: words.join(' ') }));
  }
  return `${lines.join('\n')}\n`;
}

test('the fitted table scores in TypeScript exactly as the fit scored it in Python', { skip: noSklearn }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hindustani-'));
  writeFileSync(join(dir, 'rows.jsonl'), syntheticRows());
  const args = ['--rows', join(dir, 'rows.jsonl'), '--out', join(dir, 'table.bin'), '--bits', '12'];
  execFileSync(
    '/usr/bin/python3',
    [join(root, 'models/training/train_hindustani.py'), ...args, '--check-scores', join(dir, 'check.json')],
    { stdio: 'pipe' },
  );
  const table = parseHindustaniTable(readFileSync(join(dir, 'table.bin')));
  assert.equal(table.bits, 12);
  const check = JSON.parse(readFileSync(join(dir, 'check.json'), 'utf8')) as Array<{
    words: string;
    hindustani: number;
    urdu: number;
  }>;
  assert.equal(check.length, 200);
  for (const row of check) {
    const [hindustani, urdu] = scoreWords(table, row.words.split(' '));
    assert.ok(Math.abs(hindustani - row.hindustani) < 1e-9, `${row.words}: ${hindustani} vs ${row.hindustani}`);
    assert.ok(Math.abs(urdu - row.urdu) < 1e-9, `${row.words}: ${urdu} vs ${row.urdu}`);
  }
  // And it learnt the groups: the Hindustani rows score above the others, Urdu's above Hindi's.
  const mean = (group: string, field: 'hindustani' | 'urdu') => {
    const rows = syntheticRows()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => r.group === group);
    return (
      rows.reduce((s, r) => s + scoreWords(table, r.words.split(' '))[field === 'hindustani' ? 0 : 1], 0) / rows.length
    );
  };
  assert.ok(mean('urd-Latn', 'hindustani') > 0 && mean('eng', 'hindustani') < 0 && mean('tur', 'hindustani') < 0);
  assert.ok(mean('urd-Latn', 'urdu') > 0 && mean('hin', 'urdu') < 0);
});

test('a training set without both kinds of row is a usage error, not a scikit-learn trace', { skip: noSklearn }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hindustani-'));
  writeFileSync(join(dir, 'rows.jsonl'), `${JSON.stringify({ group: 'eng', split: 'train', words: 'the cat' })}\n`);
  const run = spawnSync(
    '/usr/bin/python3',
    [
      join(root, 'models/training/train_hindustani.py'),
      '--rows',
      join(dir, 'rows.jsonl'),
      '--out',
      join(dir, 'table.bin'),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 2);
  assert.match(run.stderr, /need both romanised Hindustani \(urd-Latn, hin\) and other groups/);
  assert.equal(existsSync(join(dir, 'table.bin')), false);
});

test('retrain-hindustani.sh rebuilds the shipped table byte for byte', {
  skip: noSklearn || (!existsSync(data) && `no training data at ${data}`),
}, () => {
  const out = join(mkdtempSync(join(tmpdir(), 'hindustani-')), 'hindustani.bin');
  execFileSync('bash', [join(root, 'models/training/retrain-hindustani.sh'), data, out], { cwd: root, stdio: 'pipe' });
  assert.ok(readFileSync(out).equals(readFileSync(join(root, 'models/language/hindustani.bin'))));
});
