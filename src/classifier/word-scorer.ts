// The language detector's fitted word scorers: logistic regressions over a text's hashed words and character
// n-grams, fitted by models/training/train_hindustani.py. Two tables share the layout and the features:
// models/language/hindustani.bin (romanised Hindustani, then Urdu over Hindi: hindustani.ts) and
// models/language/indonesian-malay.bin (Indonesian over Malay: indonesian-malay.ts). The layout:
//
//   "HND1" | header length (uint32 LE) | header (JSON: source, bits, ngrams, vectors, bias), space-padded so the
//   weights start at a multiple of 4 | one float32 LE weight per bucket (2^bits) for each vector, in order
//
// A text's features are its distinct buckets: each word w that scoredWords() keeps hashes "\u0001" + w, and each
// n-gram (ngrams sizes) of " " + w + " "; a bucket is FNV-1a (32-bit, over UTF-16 code units) modulo 2^bits.

const MAGIC = 'HND1';
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SPACE = 32;

export interface ScorerHeader {
  source: string;
  bits: number;
  /** The character n-gram sizes, ascending. */
  ngrams: number[];
  /** What each weight vector scores, in file order (e.g. "hindustani" and "urdu"). */
  vectors: string[];
  bias: number[];
}

export interface ScorerTable extends ScorerHeader {
  /** Each vector's weights, 2^bits of them. */
  weights: Float32Array[];
  /** What the features are (bits and n-gram sizes): tables with the same key find the same buckets in a text. */
  features: string;
}

/** The letter runs the scorers read (lower case): what models/training/hindustani-rows.ts writes for training. */
export function scoredWords(signal: string): string[] {
  const runs = [...signal.matchAll(LETTER_RUNS)];
  // In Title Case text (the news headlines among the Roman Urdu rows) a capital marks nothing.
  const titleCase = runs.filter(([word]) => NAME.test(word)).length * 2 > runs.length;
  const words: string[] = [];
  for (const { 0: word, index } of runs) {
    const name = !titleCase && NAME.test(word) && !SENTENCE_START.test(signal.slice(Math.max(0, index - 3), index));
    const lower = word.toLowerCase();
    if (!name && !LINK_WORDS.has(lower)) words.push(lower);
  }
  return words;
}
/** A text's words: its runs of letters (the word table's evidence in language.ts reads the same). */
export const LETTER_RUNS = /\p{L}+/gu;
/** A capitalised word: inside a sentence, a name most likely ("Imran Khan", "Lahore"), which names no language. */
const NAME = /^\p{Lu}\p{Ll}/u;
/** What comes before a sentence's first word: the text's start, or an end of sentence. */
const SENTENCE_START = /(?:^|[.!?]\s*)$/u;
/**
 * Link remnants the cleaning leaves name no language: XLM-T's Hindi tweets write every link as "http/URL", and with
 * these words the scorer called an English forum post's "[URL=...]" Hindi.
 */
const LINK_WORDS: ReadonlySet<string> = new Set(['http', 'https', 'www', 'url']);

/** A table in the layout above that has (at least) the `required` vectors. */
export function parseScorerTable(bytes: Buffer, required: readonly string[]): ScorerTable {
  if (bytes.toString('latin1', 0, 4) !== MAGIC) throw new Error(`not a ${MAGIC} table`);
  const headerLength = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + headerLength)) as ScorerHeader;
  const { bits, ngrams, vectors, bias } = header;
  if (![ngrams, vectors, bias].every(Array.isArray)) throw new Error('ngrams, vectors and bias must be lists');
  if (!(Number.isInteger(bits) && bits >= 8 && bits <= 24)) throw new Error(`bits must be 8-24, got ${bits}`);
  if (!ngrams.every((n, i) => Number.isInteger(n) && n > 0 && (i === 0 || n > ngrams[i - 1]))) {
    throw new Error('ngrams must be ascending positive sizes');
  }
  if (vectors.length !== bias.length) throw new Error('one bias per vector');
  for (const name of required) if (!vectors.includes(name)) throw new Error(`no "${name}" vector`);
  const start = 8 + headerLength;
  const size = 2 ** bits;
  if (start % 4 !== 0 || bytes.length !== start + vectors.length * size * 4) {
    throw new Error(`expected ${vectors.length} vectors of ${size} float32 after the header`);
  }
  // A copy, aligned: the weights are read on every Latin-script post.
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length));
  const weights = vectors.map((_, v) => all.subarray(v * size, (v + 1) * size));
  return { ...header, weights, features: `${bits}:${ngrams.join()}` };
}

/** Marks of the buckets already found for the current text (a stamp per text, so nothing is cleared). */
let seen = new Uint32Array(0);
let stamp = 0;
/** The current text's distinct buckets, in the order found: found[0..foundCount). */
let found = new Uint32Array(1024);
let foundCount = 0;

/** Finds the distinct buckets of `words` into `found`. */
function findBuckets(words: readonly string[], bits: number, ngrams: readonly number[]): void {
  const mask = 2 ** bits - 1;
  if (seen.length !== mask + 1) seen = new Uint32Array(mask + 1);
  stamp = stamp === 0xffffffff ? 1 : stamp + 1;
  if (stamp === 1) seen.fill(0);
  foundCount = 0;
  const add = (hash: number) => {
    const bucket = hash & mask;
    if (seen[bucket] === stamp) return;
    seen[bucket] = stamp;
    if (foundCount === found.length) {
      const grown = new Uint32Array(found.length * 2);
      grown.set(found);
      found = grown;
    }
    found[foundCount++] = bucket;
  };
  const longest = ngrams[ngrams.length - 1];
  for (const word of words) {
    let hash = Math.imul(FNV_OFFSET ^ 1, FNV_PRIME) >>> 0;
    for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), FNV_PRIME) >>> 0;
    add(hash);
    // The n-grams of " " + word + " ", without building it; each extends the shorter one starting at the same place.
    const padded = word.length + 2;
    for (let i = 0; i < padded; i++) {
      hash = FNV_OFFSET;
      for (let n = 1; n <= longest && i + n <= padded; n++) {
        const at = i + n - 1;
        const code = at === 0 || at === padded - 1 ? SPACE : word.charCodeAt(at - 1);
        hash = Math.imul(hash ^ code, FNV_PRIME) >>> 0;
        if (n >= ngrams[0] && ngrams.includes(n)) add(hash);
      }
    }
  }
}

/** Each vector's score over the found buckets: its bias plus the buckets' weights, in the table's vector order. */
function sumFound(table: ScorerTable): number[] {
  const sums = [...table.bias];
  for (let b = 0; b < foundCount; b++) {
    const bucket = found[b];
    for (let v = 0; v < sums.length; v++) sums[v] += table.weights[v][bucket];
  }
  return sums;
}

/**
 * What the found buckets are of, when scoreText found them: the detector scores a text with the Hindustani table and
 * then, if eld calls it Indonesian or Malay, with the Indonesian one, which has the same features. The second table
 * reuses the buckets instead of hashing the text again.
 */
let foundFor: { signal: string; features: string; words: number } | undefined;

/** Each vector's score (bias plus the weights of the words' distinct buckets), in the table's vector order. */
export function scoreWords(table: ScorerTable, words: readonly string[]): number[] {
  foundFor = undefined;
  findBuckets(words, table.bits, table.ngrams);
  return sumFound(table);
}

/** A text's scores (as scoreWords of its scoredWords), with how many words were scored. */
export function scoreText(table: ScorerTable, signal: string): { sums: number[]; words: number } {
  if (foundFor?.signal !== signal || foundFor.features !== table.features) {
    const words = scoredWords(signal);
    findBuckets(words, table.bits, table.ngrams);
    foundFor = { signal, features: table.features, words: words.length };
  }
  return { sums: sumFound(table), words: foundFor.words };
}
