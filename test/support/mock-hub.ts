// A local stand-in for the Hugging Face hub over HTTP, serving model repositories from a directory
// (<root>/<org>/<name>/<file>) under the hub's download paths, as model:fetch and transformers.js request them:
//   GET|HEAD /<org>/<name>/resolve/<revision>/<file>
// Like the real hub: large files (*.onnx) answer 302 to a separate CDN path, an unknown repository answers 401
// (the hub does not tell anonymous clients whether a private repository exists), a missing file 404 with
// X-Error-Code: EntryNotFound. Only the revision `main` exists.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';

export interface MockHub {
  url: string;
  /** Every request path, in order (HEAD and GET alike). */
  requests: string[];
  close(): Promise<void>;
}

const RESOLVE = /^\/([\w.-]+)\/([\w.-]+)\/resolve\/([^/]+)\/(.+)$/;
const CDN = /^\/cdn\/([\w.-]+)\/([\w.-]+)\/(.+)$/;

export async function startMockHub(root: string): Promise<MockHub> {
  const requests: string[] = [];
  const inside = (...parts: string[]) => {
    const path = normalize(join(root, ...parts));
    return path.startsWith(normalize(root) + sep) ? path : undefined;
  };
  const send = (req: IncomingMessage, res: ServerResponse, file: string) => {
    res.writeHead(200, { 'Content-Length': statSync(file).size, 'Content-Type': 'application/octet-stream' });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://hub').pathname);
    requests.push(`${req.method} ${path}`);
    const cdn = CDN.exec(path);
    if (cdn) {
      const file = inside(cdn[1], cdn[2], cdn[3]);
      return file && existsSync(file) ? send(req, res, file) : void res.writeHead(404).end();
    }
    const match = RESOLVE.exec(path);
    const repo = match && inside(match[1], match[2]);
    if (!match || !repo || !existsSync(join(repo, 'config.json'))) {
      return void res.writeHead(401, { 'X-Error-Code': 'RepositoryNotFound' }).end('Repository not found');
    }
    const [, org, name, revision, file] = match;
    if (revision !== 'main')
      return void res.writeHead(404, { 'X-Error-Code': 'RevisionNotFound' }).end('Revision not found');
    const target = inside(org, name, file);
    if (!target || !existsSync(target) || !statSync(target).isFile()) {
      return void res.writeHead(404, { 'X-Error-Code': 'EntryNotFound' }).end('Entry not found');
    }
    if (file.endsWith('.onnx')) return void res.writeHead(302, { Location: `/cdn/${org}/${name}/${file}` }).end();
    send(req, res, target);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
