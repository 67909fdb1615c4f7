// The language detector's n-gram table as stored (models/language/latin-ngrams.bin), made to be read on a cold
// start for nothing: the file is used as it lies in memory, with no JSON to parse and no object per n-gram.
//
//   "LNG1" | header length (uint32 LE) | header (JSON: source, type, languages, byteChars, width, count)
//   | count n-grams of `width` bytes, each one byte per character (Latin-1), NUL-padded, sorted bytewise
//   | count rows of one score byte per language
//
// eld's n-grams are over stand-in characters for UTF-8 bytes (byteChars, all below U+0100), at most 6 of them, so
// a byte each is enough; NUL pads, so bytewise order is JavaScript's string order. As JSON (an object of arrays,
// 1.7 MB) the same table took 75-100 ms to parse; as one sorted string split at load, 20-30 ms.

const MAGIC = 'LNG1';

export interface NgramTableHeader {
  source: string;
  type: string;
  /** The languages, in the order of each n-gram's scores (ISO 639-1, as eld names them). */
  languages: string[];
  /** eld's stand-in character for each UTF-8 byte value (its n-grams are over these). */
  byteChars: string;
}

export interface NgramTable extends NgramTableHeader {
  /** The n-gram's score per language (in `languages` order), or undefined when the table lacks it. */
  scoresOf(gram: string): Uint8Array | undefined;
}

/** Writes the table: each row an n-gram and its score (0-255) per language. */
export function encodeNgramTable(header: NgramTableHeader, rows: Array<[gram: string, scores: number[]]>): Buffer {
  const sorted = [...rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const width = sorted.reduce((widest, [gram]) => Math.max(widest, gram.length), 1);
  const languages = header.languages.length;
  sorted.forEach(([gram, scores], i) => {
    if (/[^\u0001-\u00ff]/.test(gram)) {
      throw new Error(`n-gram ${JSON.stringify(gram)}: characters must be between U+0001 and U+00FF`);
    }
    if (scores.length !== languages || scores.some((s) => !Number.isInteger(s) || s < 0 || s > 255)) {
      throw new Error(`n-gram ${JSON.stringify(gram)}: needs ${languages} scores of 0-255`);
    }
    if (i > 0 && sorted[i - 1][0] === gram) throw new Error('n-gram table: an n-gram appears twice');
  });
  const head = Buffer.from(JSON.stringify({ ...header, width, count: sorted.length }), 'utf8');
  const body = Buffer.alloc(sorted.length * (width + languages));
  sorted.forEach(([gram, scores], i) => {
    body.write(gram, i * width, 'latin1');
    body.set(scores, sorted.length * width + i * languages);
  });
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.length);
  return Buffer.concat([Buffer.from(MAGIC, 'latin1'), length, head, body]);
}

/** The table in a file's bytes, ready to score with (a binary search per n-gram, nothing built at load). */
export function ngramTable(file: Uint8Array): NgramTable {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (bytes.toString('latin1', 0, 4) !== MAGIC) throw new Error('n-gram table: not a LNG1 file');
  const headLength = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + headLength)) as NgramTableHeader & {
    width: number;
    count: number;
  };
  const { width, count, languages } = header;
  const gramsAt = 8 + headLength;
  const scoresAt = gramsAt + count * width;
  if (bytes.length !== scoresAt + count * languages.length) {
    throw new Error(`n-gram table: ${bytes.length} bytes, not the ${scoresAt + count * languages.length} it declares`);
  }
  /** The query against row `row`: negative, zero or positive as it sorts before, with or after it. */
  const compare = (gram: string, row: number): number => {
    const at = gramsAt + row * width;
    for (let k = 0; k < width; k++) {
      const difference = (k < gram.length ? gram.charCodeAt(k) : 0) - bytes[at + k];
      if (difference !== 0) return difference;
    }
    return 0;
  };
  return {
    source: header.source,
    type: header.type,
    languages,
    byteChars: header.byteChars,
    scoresOf(gram) {
      if (gram.length > width) return undefined;
      let low = 0;
      let high = count - 1;
      while (low <= high) {
        const middle = (low + high) >>> 1;
        const order = compare(gram, middle);
        if (order === 0)
          return bytes.subarray(scoresAt + middle * languages.length, scoresAt + (middle + 1) * languages.length);
        if (order > 0) low = middle + 1;
        else high = middle - 1;
      }
      return undefined;
    },
  };
}
