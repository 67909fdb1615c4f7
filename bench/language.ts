// Language detectors measured on tweets: npm run bench:language -- ../shared/data/sentiment [--only NAME,...]
//
// What it reports, per detector, with and without the audience's candidate set, on train and on val/dev
// separately (tune on train, check on val): % of English tweets detected as another language (the SemEval
// tweets), % right per language (the XLM-T tweets), and µs per post (the whole set, one pass, detection alone).
// A third split, check, is the English the romanised-Hindustani scorer was not fitted on (isDetectorCheckRow's rows
// of DETECTOR_ENGLISH_FILES); check-content is the same texts without their very common English words, English as
// headlines and terse posts write it.
// --also CHECKOUT adds another checkout's detector (git worktree add /tmp/before main): a change side by side.
// 'und' on English is not a false flag (undetermined posts go to the English model).
//
// The off-the-shelf candidates are not dependencies; install them for a run without saving:
//   npm install --no-save eld cld3-asm tinyld
// Those not installed are skipped. The off-the-shelf detectors get the project's cleaning first (languageSignal:
// links, mentions, hashtags, emoji and digits removed; under MIN_LATIN_LETTERS letters is 'und'); the project's
// detector (identifyLanguage) gets the raw text and does its own.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { francAll } from 'franc';
import { runCli } from '../src/cli/run.js';
import { UsageError } from '../src/errors.js';
import {
  AUDIENCE_LANGUAGES,
  hasEnoughLetters,
  identifyLanguage,
  languageSignal,
  toIso3,
  withoutCommonEnglishWords,
} from '../src/classifier/language.js';
import { AUDIENCE_FILES as AUDIENCE_FILE_PATHS } from '../models/training/audience-files.mjs';
import { DETECTOR_ENGLISH_FILES, isDetectorCheckRow, isValidationRow } from '../models/training/validation-cut.mjs';

type Detect = ((signal: string) => string) & { raw?: boolean };
interface Row {
  text: string;
  language: string;
}

const SPLITS = {
  train: ['xlm-t-multilingual/train.jsonl', 'semeval2017-task4a-2013-2016/train.jsonl'],
  val: ['xlm-t-multilingual/val.jsonl', 'semeval2017-task4a-2013-2016/dev.jsonl'],
};
/**
 * The audience files (issue #24) have no split: their rows go to train or val by the training's own fixed rule
 * (models/training/validation-cut.mjs). Roman Urdu is reported as its own group, `urd-Latn`.
 */
const AUDIENCE_FILES = Object.values(AUDIENCE_FILE_PATHS);

const ISO1 = AUDIENCE_LANGUAGES.map((code) => [code, toIso1(code)] as const);
function toIso1(code: string): string {
  const table: Record<string, string> = {
    eng: 'en',
    ara: 'ar',
    urd: 'ur',
    msa: 'ms',
    ind: 'id',
    tur: 'tr',
    fra: 'fr',
    deu: 'de',
    ita: 'it',
    por: 'pt',
    spa: 'es',
    hin: 'hi',
  };
  return table[code] ?? code;
}
const ONLY_ISO1 = ISO1.map(([, two]) => two);
const FRANC_ONLY = AUDIENCE_LANGUAGES.map((code) => ({ ara: 'arb', msa: 'zlm' })[code as 'ara'] ?? code);

async function candidates(checkouts: string[]): Promise<Record<string, Detect>> {
  const found: Record<string, Detect> = {
    franc: (s) => toIso3(francAll(s, { minLength: 10 })[0]?.[0] ?? 'und'),
    'franc, audience set': (s) => toIso3(francAll(s, { minLength: 10, only: FRANC_ONLY })[0]?.[0] ?? 'und'),
    'impact-sentiment (src/classifier/language.ts)': Object.assign((text: string) => identifyLanguage(text), {
      raw: true,
    }),
  };
  // Another checkout's detector (--also), measured in the same run: a change's cost side by side.
  for (const checkout of checkouts) {
    const other = (await import(resolve(checkout, 'src/classifier/language.ts'))) as { identifyLanguage: Detect };
    found[`impact-sentiment at ${checkout}`] = Object.assign((text: string) => other.identifyLanguage(text), {
      raw: true,
    });
  }
  const optional = async <T>(name: string): Promise<T | undefined> =>
    import(name).catch(() => undefined) as Promise<T | undefined>;
  type EldModule = {
    eld: { detect(t: string): { language: string }; setLanguageSubset(l: string[] | false): unknown };
  };
  for (const size of ['large', 'medium'] as const) {
    const eld = (await optional<EldModule>(`eld/${size}`))?.eld;
    if (!eld) continue;
    found[`eld ${size}`] = (s) => {
      eld.setLanguageSubset(false);
      return toIso3(eld.detect(s).language || 'und');
    };
    found[`eld ${size}, audience set`] = (s) => {
      eld.setLanguageSubset(ONLY_ISO1);
      return toIso3(eld.detect(s).language || 'und');
    };
  }
  const tinyld = await optional<{ detect(t: string, o?: { only?: string[] }): string }>('tinyld');
  if (tinyld) {
    found.tinyld = (s) => toIso3(tinyld.detect(s) || 'und');
    found['tinyld, audience set'] = (s) => toIso3(tinyld.detect(s, { only: ONLY_ISO1 }) || 'und');
  }
  type Cld = {
    findMostFrequentLanguages(t: string, n: number): Array<{ language: string; is_reliable: boolean }>;
    findLanguage(t: string): { language: string };
  };
  const cld3 = await optional<{ loadModule(): Promise<{ create(min?: number, max?: number): Cld }> }>('cld3-asm');
  if (cld3) {
    const identifier = (await cld3.loadModule()).create(0, 1000);
    const only = new Set(ONLY_ISO1);
    found['cld3-asm'] = (s) => toIso3(identifier.findLanguage(s).language);
    // cld3 has no candidate list: the first of its top five that is in the set, else undetermined.
    found['cld3-asm, audience set'] = (s) =>
      toIso3(identifier.findMostFrequentLanguages(s, 5).find((r) => only.has(r.language))?.language ?? 'und');
  }
  return found;
}

function readRows(dataDir: string, files: string[], audienceSplit?: 'train' | 'val'): Row[] {
  return files.flatMap((file) =>
    readFileSync(join(dataDir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => {
        const r = JSON.parse(l) as { text: string; language?: string };
        const language = file.includes('urd-roman') ? 'urd-Latn' : (r.language ?? 'eng');
        return { text: r.text, language };
      })
      .filter((r) => audienceSplit === undefined || isValidationRow(r.text) === (audienceSplit === 'val')),
  );
}

export interface DetectorScore {
  detector: string;
  split: string;
  englishFlaggedPct: number;
  rightPct: Record<string, number>;
  usPerPost: number;
  detectedAs: Record<string, Record<string, number>>;
}

function score(name: string, split: string, detect: Detect, rows: Row[]): DetectorScore {
  const signals = detect.raw ? rows.map((r) => r.text) : rows.map((r) => languageSignal(r.text));
  const began = performance.now();
  const predicted = signals.map((s) => (detect.raw || hasEnoughLetters(s) ? detect(s) : 'und'));
  const usPerPost = ((performance.now() - began) * 1000) / rows.length;
  const detectedAs: Record<string, Record<string, number>> = {};
  rows.forEach((r, i) => {
    const counts = (detectedAs[r.language] ??= {});
    counts[predicted[i]] = (counts[predicted[i]] ?? 0) + 1;
  });
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const english = detectedAs.eng ?? {};
  const flagged = total(english) - (english.eng ?? 0) - (english.und ?? 0);
  // Roman Urdu (urd-Latn) is right when detected as Urdu; Indonesian and Malay are also counted as either.
  const rightPct = Object.fromEntries(
    Object.entries(detectedAs)
      .filter(([l]) => l !== 'eng')
      .map(([l, counts]) => [l, (100 * (counts[l.split('-')[0]] ?? 0)) / total(counts)]),
  );
  for (const l of ['ind', 'msa']) {
    const counts = detectedAs[l];
    if (counts) rightPct[`${l} as ind/msa`] = (100 * ((counts.ind ?? 0) + (counts.msa ?? 0))) / total(counts);
  }
  return {
    detector: name,
    split,
    englishFlaggedPct: (100 * flagged) / Math.max(1, total(english)),
    rightPct,
    usPerPost,
    detectedAs,
  };
}

const USAGE = `usage: npm run bench:language -- DATA_DIR [--only SUBSTRING,...] [--also CHECKOUT]... [--json]
  DATA_DIR  the tweets (e.g. ../shared/data/sentiment): SemEval English and XLM-T per language, train and val
  --only    measure only the detectors whose name holds one of these substrings
  --also    also measure another checkout's detector (e.g. a git worktree of main), in the same run
  --json    one JSON array on stdout instead of the table`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      only: { type: 'string' },
      also: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return (console.log(USAGE), 0);
  const dataDir = positionals[0];
  if (!dataDir) throw new UsageError('DATA_DIR is missing');
  const found = await candidates(values.also ?? []);
  const wanted = values.only?.split(',');
  const results: DetectorScore[] = [];
  const hasAudience = existsSync(join(dataDir, AUDIENCE_FILES[0]));
  const splits: Record<string, Row[]> = {};
  for (const [split, files] of Object.entries(SPLITS)) {
    const audience = hasAudience ? readRows(dataDir, AUDIENCE_FILES, split as 'train' | 'val') : [];
    splits[split] = [...readRows(dataDir, files), ...audience];
  }
  if (DETECTOR_ENGLISH_FILES.every((file) => existsSync(join(dataDir, file)))) {
    splits.check = readRows(dataDir, DETECTOR_ENGLISH_FILES).filter((r) => isDetectorCheckRow(r.text));
    splits['check-content'] = splits.check.map((r) => ({ ...r, text: withoutCommonEnglishWords(r.text) }));
  }
  for (const [split, rows] of Object.entries(splits)) {
    for (const [name, detect] of Object.entries(found)) {
      if (wanted && !wanted.some((w) => name.includes(w))) continue;
      detect('warm up the detector before it is timed');
      results.push(score(name, split, detect, rows));
      if (!values.json) printRow(results[results.length - 1]);
    }
  }
  if (values.json) console.log(JSON.stringify(results));
  return 0;
}

/** The audience's languages but English (the first column), then Roman Urdu and Indonesian/Malay as either. */
const LANGS = [...AUDIENCE_LANGUAGES.filter((code) => code !== 'eng'), 'urd-Latn', 'ind as ind/msa', 'msa as ind/msa'];
let printedHeader = false;
function printRow(r: DetectorScore): void {
  if (!printedHeader) {
    console.log(
      `| detector | split | English flagged | ${LANGS.join(' | ')} | µs/post |\n` +
        `|---|---|---|${LANGS.map(() => '---|').join('')}---|`,
    );
    printedHeader = true;
  }
  const pct = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(1));
  console.log(
    `| ${r.detector} | ${r.split} | ${r.englishFlaggedPct.toFixed(2)}% | ` +
      `${LANGS.map((l) => pct(r.rightPct[l])).join(' | ')} | ${r.usPerPost.toFixed(1)} |`,
  );
}

runCli(import.meta.url, 'bench:language', main, { usage: USAGE });
