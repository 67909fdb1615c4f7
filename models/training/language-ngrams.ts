// Writes models/language/latin-ngrams.bin: the byte n-gram scores of eld's large database (Nito T.M., Apache-2.0,
// npmjs.com/package/eld 2.1.0) for the audience's Latin-script languages only, in the format
// src/classifier/ngram-table.ts reads. The whole database takes seconds to parse (a 4.3 MB object literal, 60
// languages), far too long for a Lambda cold start. src/classifier/latin-language.ts scores this subset exactly as
// eld scores its own (same n-grams, same sums), so it picks what `eld.setLanguageSubset(LANGUAGES)` picks.
//   npm install --no-save eld@2.1.0 && npx tsx models/training/language-ngrams.ts [ELD_PACKAGE_DIR]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodeNgramTable } from '../../src/classifier/ngram-table.js';

interface EldNgrams {
  type: string;
  languages: Record<string, string>;
  ngrams: Record<string, Record<string, number>>;
}

const eldDir = process.argv[2] ?? fileURLToPath(new URL('../../node_modules/eld/', import.meta.url));
const fromEld = (file: string) => import(pathToFileURL(join(eldDir, 'src', file)).href);
const { dictionary } = (await fromEld('dictionary.js')) as { dictionary: string[] };
const { ngramsData } = (await fromEld('ngrams/large.js')) as { ngramsData: EldNgrams };

const LANGUAGES = ['en', 'fr', 'de', 'it', 'pt', 'es', 'ms', 'id', 'tr'];
const idOf = Object.fromEntries(Object.entries(ngramsData.languages).map(([id, code]) => [code, id]));
const ids = LANGUAGES.map((code) => idOf[code]);
const rows: Array<[string, number[]]> = [];
for (const [gram, scores] of Object.entries(ngramsData.ngrams)) {
  const row = ids.map((id) => scores[id] ?? null);
  // eld adds 53 to each language's score per n-gram it has.
  if (row.some((s) => s !== null)) rows.push([gram, row.map((s) => (s === null ? 0 : s + 53))]);
}
const table = encodeNgramTable(
  {
    source:
      'eld 2.1.0 (Nito T.M., Apache-2.0, https://www.apache.org/licenses/LICENSE-2.0), ' +
      'ngrams/large.js, languages subset',
    type: ngramsData.type,
    languages: LANGUAGES,
    byteChars: dictionary.join(''),
  },
  rows,
);
writeFileSync(new URL('../language/latin-ngrams.bin', import.meta.url), table);
console.log(`${rows.length} n-grams for ${LANGUAGES.join(', ')}: ${table.length} bytes`);
