// Downloads a transformers.js-ready model from the Hugging Face hub (or a mirror) into a models folder, with
// plain fetch(). For machines with internet; the classifier itself never downloads anything.
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { describeLabelScheme, labelSchemeFromConfig } from '../domain/labels.js';

/** Per-file limit: a quantised base model is ~100 MB. */
const FILE_TIMEOUT_MS = 10 * 60_000;

export function filesToFetch(fp32: boolean): string[] {
  const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'];
  return fp32 ? [...files, 'onnx/model.onnx'] : files;
}

/** The hub's download address of one file (what huggingface_hub and transformers.js request too). */
export function fileUrl(baseUrl: string, hubId: string, file: string, revision = 'main'): string {
  return `${baseUrl.replace(/\/+$/, '')}/${hubId}/resolve/${encodeURIComponent(revision)}/${file}`;
}

/** A failure worth one line to the user (no stack trace). */
export class FetchFailure extends Error {}

async function download(url: string, destination: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(FILE_TIMEOUT_MS) });
  } catch (error) {
    throw new FetchFailure(`cannot reach ${url}: ${describeNetworkError(error)}`);
  }
  if (!response.ok || !response.body)
    throw new FetchFailure(`${url} answered HTTP ${response.status} ${response.statusText}`.trim());
  await mkdir(dirname(destination), { recursive: true });
  const partial = `${destination}.partial`;
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(partial));
    await rename(partial, destination);
  } catch (error) {
    await rm(partial, { force: true });
    throw new FetchFailure(`download of ${url} failed: ${describeNetworkError(error)}`);
  }
}

const NETWORK_HINTS: Record<string, string> = {
  ENOTFOUND: 'host not found, is there internet access?',
  EAI_AGAIN: 'DNS lookup failed, is there internet access?',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  ENETUNREACH: 'network unreachable',
};

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  if (error.name === 'TimeoutError') return 'timed out';
  const code = cause?.code;
  if (code && code in NETWORK_HINTS) return `${NETWORK_HINTS[code]} (${code})`;
  return code ?? cause?.message ?? error.message;
}

export interface FetchOptions {
  fp32: boolean;
  baseUrl: string;
  revision?: string;
  dir: string;
  log: (line: string) => void;
}

export async function fetchModel(hubId: string, options: FetchOptions): Promise<string> {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(hubId) || hubId.includes('..'))
    throw new FetchFailure(`"${hubId}" is not a hub model id like owner/name`);
  const target = join(options.dir, hubId);
  for (const file of filesToFetch(options.fp32)) {
    await download(fileUrl(options.baseUrl, hubId, file, options.revision), join(target, file));
    options.log(`fetched ${file}`);
  }
  // Catch label sets the classifier would refuse now rather than at the next cold start.
  const config = JSON.parse(await readFile(join(target, 'config.json'), 'utf8'));
  const scheme = labelSchemeFromConfig(config, { binaryNeutralMargin: 0.2, source: join(target, 'config.json') });
  options.log(`labels: ${describeLabelScheme(scheme)}`);
  return target;
}
