// A minimal zip reader (central directory + stored/deflate entries): enough to measure a Lambda package
// (unzipped size = sum of entry sizes, what Lambda's 250 MB limit counts) and to unpack it for a load test,
// without depending on an `unzip` binary being installed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  compressedSize: number;
  size: number;
  method: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function readZipEntries(buffer: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i--) {
    if (buffer.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end-of-central-directory record)');
  const count = buffer.readUInt16LE(eocd + 10);
  let offset = buffer.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new Error('zip64 archives are not supported');
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (buffer.readUInt32LE(offset) !== CENTRAL) throw new Error(`bad central directory entry at ${offset}`);
    const method = buffer.readUInt16LE(offset + 10);
    const compressedSize = buffer.readUInt32LE(offset + 20);
    const size = buffer.readUInt32LE(offset + 24);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    const localHeaderOffset = buffer.readUInt32LE(offset + 42);
    const name = buffer.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.push({ name, compressedSize, size, method, localHeaderOffset });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export function listZip(path: string): ZipEntry[] {
  return readZipEntries(readFileSync(path));
}

/** Sum of the entries' uncompressed sizes: what Lambda compares with its 250 MB unzipped limit. */
export function unzippedSize(entries: ZipEntry[]): number {
  return entries.reduce((sum, entry) => sum + entry.size, 0);
}

export function extractZip(path: string, destination: string): void {
  const buffer = readFileSync(path);
  for (const entry of readZipEntries(buffer)) {
    if (entry.name.endsWith('/')) continue;
    const target = normalize(join(destination, entry.name));
    if (!target.startsWith(normalize(destination) + sep))
      throw new Error(`zip entry escapes the destination: ${entry.name}`);
    const local = entry.localHeaderOffset;
    if (buffer.readUInt32LE(local) !== LOCAL) throw new Error(`bad local header for ${entry.name}`);
    const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const raw = buffer.subarray(start, start + entry.compressedSize);
    let data: Buffer;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8) data = inflateRawSync(raw);
    else throw new Error(`unsupported compression method ${entry.method} for ${entry.name}`);
    if (data.length !== entry.size) throw new Error(`size mismatch for ${entry.name}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
}
