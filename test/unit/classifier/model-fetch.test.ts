import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fetchModel, fileUrl, filesToFetch } from '../../../src/models/fetch.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const threeClassConfig = readFileSync(
  new URL('../../fixtures/label-configs/three-class.json', import.meta.url),
  'utf8',
);

/** Runs the CLI asynchronously: the stand-in hub below lives in this process and must keep serving. */
function runCli(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/model-fetch.ts', ...args],
      { cwd: repoRoot, encoding: 'utf8' },
      (error, _stdout, stderr) => {
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
      },
    );
  });
}

/** A port nothing listens on: bind an ephemeral port, then release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('model:fetch', () => {
  let dir: string;
  let hub: Server;
  let hubUrl: string;
  const requested: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'model-fetch-'));
    // A stand-in hub: serves every file of "acme/tiny", 404 for anything else.
    hub = createServer((req, res) => {
      requested.push(req.url ?? '');
      const match = /^\/acme\/tiny\/resolve\/main\/(.+)$/.exec(req.url ?? '');
      if (!match) return void res.writeHead(404).end('not found');
      res.writeHead(200).end(match[1] === 'config.json' ? threeClassConfig : `contents of ${match[1]}`);
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => hub.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with one clear line and exit code 1 when the hub cannot be reached', async () => {
    const result = await runCli(['acme/tiny', '--base-url', `http://127.0.0.1:${await closedPort()}`, '--dir', dir]);
    assert.equal(result.status, 1);
    const lines = result.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0],
      new RegExp(
        /^model:fetch: cannot reach http:\/\/127\.0\.0\.1:\d+\/acme\/tiny\/resolve\/main\/config\.json/.source +
          /: connection refused/.source,
      ),
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(join(dir, 'acme', 'tiny', 'config.json')), false);
  });

  it('fails with exit code 1 on an HTTP error and leaves no partial file', async () => {
    const result = await runCli(['acme/missing', '--base-url', hubUrl, '--dir', dir]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /HTTP 404/);
    assert.equal(existsSync(join(dir, 'acme', 'missing')), false);
  });

  it('addresses a revision as the hub does (a branch, tag or commit, slashes encoded)', () => {
    assert.equal(
      fileUrl('http://hub/', 'acme/tiny', 'onnx/model.onnx'),
      'http://hub/acme/tiny/resolve/main/onnx/model.onnx',
    );
    assert.equal(
      fileUrl('http://hub', 'acme/tiny', 'config.json', 'refs/pr/1'),
      'http://hub/acme/tiny/resolve/refs%2Fpr%2F1/config.json',
    );
  });

  it('rejects ids that would escape the models directory', async () => {
    await assert.rejects(
      fetchModel('../etc', { fp32: false, baseUrl: hubUrl, dir, log: () => {} }),
      /not a hub model id/,
    );
  });

  it('downloads every file to <dir>/<id>/ from <base>/<id>/resolve/main/<file>', async () => {
    requested.length = 0;
    const target = await fetchModel('acme/tiny', { fp32: true, baseUrl: hubUrl, dir, log: () => {} });
    assert.equal(target, join(dir, 'acme', 'tiny'));
    assert.deepEqual(
      requested,
      filesToFetch(true).map((f) => `/acme/tiny/resolve/main/${f}`),
    );
    assert.equal(
      readFileSync(join(target, 'onnx', 'model_quantized.onnx'), 'utf8'),
      'contents of onnx/model_quantized.onnx',
    );
    assert.deepEqual(readdirSync(join(target, 'onnx')).sort(), ['model.onnx', 'model_quantized.onnx']);
  });
});
