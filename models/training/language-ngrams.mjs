#!/usr/bin/env node
// Writes models/language/latin-ngrams.json: the byte n-gram scores of eld's large database (Nito T.M., Apache-2.0,
// npmjs.com/package/eld 2.1.0) for the audience's Latin-script languages only. The whole database takes seconds to
// parse (a 4.3 MB object literal, 60 languages), far too long for a Lambda cold start. This subset is stored for a
// fast read: the n-grams sorted (by UTF-16 code unit, as JavaScript compares strings) and joined by newlines, and
// their scores one byte per language, base64. src/classifier/latin-language.ts scores it exactly as eld scores its
// own (same n-grams, same sums), so it picks what `eld.setLanguageSubset(LANGUAGES)` picks.
//   npm install --no-save eld@2.1.0 && node models/training/language-ngrams.mjs [ELD_PACKAGE_DIR]
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const eldDir = process.argv[2] ?? new URL('../../node_modules/eld/', import.meta.url).pathname;
const { dictionary } = await import(pathToFileURL(`${eldDir}/src/dictionary.js`).href);
const { ngramsData } = await import(pathToFileURL(`${eldDir}/src/ngrams/large.js`).href);

const LANGUAGES = ['en', 'fr', 'de', 'it', 'pt', 'es', 'ms', 'id', 'tr'];
const idOf = Object.fromEntries(Object.entries(ngramsData.languages).map(([id, code]) => [code, Number(id)]));
const ids = LANGUAGES.map((code) => idOf[code]);
const kept = [];
for (const [gram, scores] of Object.entries(ngramsData.ngrams)) {
  const row = ids.map((id) => scores[id] ?? null);
  if (row.some((s) => s !== null)) kept.push([gram, row.map((s) => (s === null ? 0 : s + 53))]); // eld adds 53 per hit
}
kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
if (kept.some(([gram]) => gram.includes('\n'))) throw new Error('an n-gram holds a newline, the separator');
const scores = Uint8Array.from(kept.flatMap(([, row]) => row));
if (kept.some(([, row]) => row.some((s) => s > 255))) throw new Error('a score does not fit in a byte');
const out = {
  source:
    'eld 2.1.0 (Nito T.M., Apache-2.0, https://www.apache.org/licenses/LICENSE-2.0), ngrams/large.js, languages subset',
  type: ngramsData.type,
  languages: LANGUAGES,
  // eld's stand-in character for each UTF-8 byte value (its n-grams are over these).
  byteChars: dictionary.join(''),
  ngrams: kept.map(([gram]) => gram).join('\n'),
  scores: Buffer.from(scores).toString('base64'),
};
writeFileSync(new URL('../../models/language/latin-ngrams.json', import.meta.url), JSON.stringify(out));
console.log(`${kept.length} n-grams for ${LANGUAGES.join(', ')}`);
