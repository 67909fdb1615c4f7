#!/usr/bin/env node
// Writes models/language/latin-ngrams.json: the byte n-gram scores of eld's large database (Nito T.M., Apache-2.0,
// npmjs.com/package/eld 2.1.0) for the audience's Latin-script languages only. The whole database takes seconds to
// parse (a 4.3 MB object literal, 60 languages), far too long for a Lambda cold start; this subset is JSON, a fraction
// of the size, and src/classifier/latin-language.ts scores it exactly as eld scores its own (same n-grams, same sums),
// so it picks what `eld.setLanguageSubset(LANGUAGES)` picks.
//   npm install --no-save eld@2.1.0 && node models/training/language-ngrams.mjs
import { writeFileSync } from 'node:fs';
import { dictionary } from '../../node_modules/eld/src/dictionary.js';
import { ngramsData } from '../../node_modules/eld/src/ngrams/large.js';

const LANGUAGES = ['en', 'fr', 'de', 'it', 'pt', 'es', 'ms', 'id', 'tr'];
const idOf = Object.fromEntries(Object.entries(ngramsData.languages).map(([id, code]) => [code, Number(id)]));
const ids = LANGUAGES.map((code) => idOf[code]);
const ngrams = {};
for (const [gram, scores] of Object.entries(ngramsData.ngrams)) {
  const kept = ids.map((id) => scores[id] ?? null);
  if (kept.some((s) => s !== null)) ngrams[gram] = kept.map((s) => (s === null ? 0 : s + 53)); // eld adds 53 per hit
}
const out = {
  source: 'eld 2.1.0 (Nito T.M., Apache-2.0, https://www.apache.org/licenses/LICENSE-2.0), ngrams/large.js, languages subset',
  type: ngramsData.type,
  languages: LANGUAGES,
  // eld's stand-in character for each UTF-8 byte value (its n-grams are over these).
  byteChars: dictionary.join(''),
  ngrams,
};
writeFileSync(new URL('../../models/language/latin-ngrams.json', import.meta.url), JSON.stringify(out));
console.log(`${Object.keys(ngrams).length} n-grams for ${LANGUAGES.join(', ')}`);
