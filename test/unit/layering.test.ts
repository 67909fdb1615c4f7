// The tree's rules, checked on every tracked TypeScript file of src/ and handlers/: the domain imports no AWS code,
// every AWS call goes through src/aws/ (the local runner's emulator set-up aside), settings come from src/config.ts,
// and the code handlers run never imports the local runner or the command lines.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Each import's module and whether it imports types only (`import type`, or every name marked `type`). */
function importsOf(source: string): Array<{ from: string; typeOnly: boolean }> {
  const found: Array<{ from: string; typeOnly: boolean }> = [];
  for (const [, clause, from] of source.matchAll(/^\s*(?:import|export)\s+([^'";]*?)\s*from\s*'([^']+)'/gms)) {
    const braced = /^\{([^}]*)\}$/s.exec(clause.trim())?.[1] ?? '';
    const names = braced
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const everyNameTyped = names.length > 0 && names.every((name) => name.startsWith('type '));
    found.push({ from, typeOnly: /^type\s/.test(clause) || everyNameTyped });
  }
  for (const [, from] of source.matchAll(/^\s*import\s*'([^']+)'/gm)) found.push({ from, typeOnly: false });
  for (const [, from] of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push({ from, typeOnly: false });
  return found;
}

function trackedTypeScript(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', 'src', 'handlers'], { cwd: ROOT, encoding: 'utf8' });
  return listed
    .split('\0')
    .filter((path) => /\.(ts|mts|cts)$/.test(path))
    .sort();
}

/** `path: module` for each import, in the files `keep` keeps, that `breaks` says breaks a rule. */
function violations(
  keep: (path: string) => boolean,
  breaks: (from: string, typeOnly: boolean, path: string) => boolean,
): string[] {
  return trackedTypeScript()
    .filter(keep)
    .flatMap((path) =>
      importsOf(readFileSync(join(ROOT, path), 'utf8'))
        .filter(({ from, typeOnly }) => breaks(from, typeOnly, path))
        .map(({ from }) => `${path}: ${from}`),
    );
}

/** The module an import names, from the repository's root (package names as they are). */
const resolved = (from: string, path: string) => (from.startsWith('.') ? join(dirname(path), from) : from);

/** SDK modules that make calls (clients, commands, paginators); util-dynamodb only converts values. */
const AWS_CALLS = /^@aws-sdk\/(?!util-dynamodb$)/;

describe('layering', () => {
  it('reads imports as written: type-only, mixed, re-exports, side effects only, dynamic', () => {
    const source = [
      "import type { Message } from '@aws-sdk/client-sqs';",
      "import { type AttributeValue, type _Record } from '@aws-sdk/client-dynamodb-streams';",
      "import { paginateScan, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';",
      "import {\n  QueryCommand,\n} from '@aws-sdk/client-dynamodb';",
      "export { localClients } from '../local/clients.js';",
      "import '../local/environment.js';",
      "const runner = await import('../cli/local-run.js');",
    ].join('\n');
    assert.deepEqual(importsOf(source), [
      { from: '@aws-sdk/client-sqs', typeOnly: true },
      { from: '@aws-sdk/client-dynamodb-streams', typeOnly: true },
      { from: '@aws-sdk/lib-dynamodb', typeOnly: false },
      { from: '@aws-sdk/client-dynamodb', typeOnly: false },
      { from: '../local/clients.js', typeOnly: false },
      { from: '../local/environment.js', typeOnly: false },
      { from: '../cli/local-run.js', typeOnly: false },
    ]);
  });

  it('the domain imports no AWS code, not even types', () => {
    const found = violations(
      (path) => path.startsWith('src/domain/'),
      (from, _typeOnly, path) => from.startsWith('@aws-sdk/') || resolved(from, path).startsWith('src/aws'),
    );
    assert.deepEqual(found, []);
  });

  it('every AWS call goes through src/aws/ (the local runner provisions its emulators itself)', () => {
    const found = violations(
      (path) => !path.startsWith('src/aws/') && !path.startsWith('src/local/'),
      (from, typeOnly) => AWS_CALLS.test(from) && !typeOnly,
    );
    assert.deepEqual(found, []);
  });

  it('settings come from the environment through src/config.ts (the CLIs pass it on, the local run sets it)', () => {
    const found = trackedTypeScript()
      .filter((path) => !/^src\/(config\.ts|cli\/|local\/)/.test(path))
      .filter((path) => /\bprocess\.env\b/.test(readFileSync(join(ROOT, path), 'utf8')));
    assert.deepEqual(found, []);
  });

  it('handlers and the code they run never import the local runner or the command lines', () => {
    const found = violations(
      (path) => !path.startsWith('src/local/') && !path.startsWith('src/cli/'),
      (from, _typeOnly, path) => /^src\/(local|cli)\//.test(resolved(from, path)),
    );
    assert.deepEqual(found, []);
  });
});
