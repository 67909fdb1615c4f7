// npm run bench:language on a small made-up data folder: its splits (train, val, and check when the English files
// the Hindustani scorer was fitted on are there) and --also, another checkout's detector measured in the same run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DETECTOR_ENGLISH_FILES, isDetectorCheckRow } from '../../../models/training/validation-cut.mjs';
import { REPO_ROOT } from '../../support/cli.js';

const ENGLISH = [
  'What a wonderful day with my family, thank you all so much',
  'The service was slow and the food was cold, never again',
  'I think the new phone is pretty good but the battery is not',
  'Going to the game tonight with friends, cannot wait',
  'She said the movie was too long and a little boring',
];
/** English sentences made up until enough of them fall in the check fifth (isDetectorCheckRow). */
const checkRows = Array.from({ length: 60 }, (_, i) => `${ENGLISH[i % 5]} number ${'xyzw'[i % 4]}${i}`)
  .filter((text) => isDetectorCheckRow(text))
  .map((text) => ({ text, label: 'neutral' }));

function dataFolder(withCheckFiles: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-language-'));
  const write = (file: string, rows: object[]) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), rows.map((r) => JSON.stringify(r)).join('\n'));
  };
  const french = { text: 'Nous sommes allés au marché ce matin avec les enfants', label: 'neutral', language: 'fra' };
  write('xlm-t-multilingual/train.jsonl', [french]);
  write('xlm-t-multilingual/val.jsonl', [french]);
  write(
    'semeval2017-task4a-2013-2016/dev.jsonl',
    ENGLISH.map((text) => ({ text, label: 'neutral' })),
  );
  write('semeval2017-task4a-2013-2016/train.jsonl', checkRows);
  if (withCheckFiles) for (const file of DETECTOR_ENGLISH_FILES) write(file, checkRows);
  return dir;
}

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function bench(withCheckFiles: boolean, ...args: string[]) {
  const dir = dataFolder(withCheckFiles);
  dirs.push(dir);
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'bench/language.ts', dir, '--only', 'impact-sentiment', '--json', ...args],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Array<{
    detector: string;
    split: string;
    englishFlaggedPct: number;
    detectedAs: Record<string, Record<string, number>>;
  }>;
}

const total = (counts: Record<string, number> = {}) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('bench:language', () => {
  it('measures English held out of the scorer as a check split, and another checkout side by side', () => {
    assert.ok(checkRows.length >= 3, `${checkRows.length} check rows`);
    const results = bench(true, '--also', REPO_ROOT);
    const names = [...new Set(results.map((r) => r.detector))];
    assert.deepEqual(names, ['impact-sentiment (src/classifier/language.ts)', `impact-sentiment at ${REPO_ROOT}`]);
    assert.deepEqual([...new Set(results.map((r) => r.split))], ['train', 'val', 'check', 'check-content']);
    // check-content holds the same texts as check, without their very common English words.
    const [check, content] = ['check', 'check-content'].map((split) => results.find((r) => r.split === split));
    assert.ok(total(check?.detectedAs.eng) > 0);
    assert.equal(total(content?.detectedAs.eng), total(check?.detectedAs.eng));
    // Plain English is never flagged, by either.
    for (const r of results) assert.equal(r.englishFlaggedPct, 0, `${r.detector} ${r.split}`);
  });

  it('has no check split when those English files are not all there', () => {
    const results = bench(false);
    assert.deepEqual([...new Set(results.map((r) => r.split))], ['train', 'val']);
  });
});
