// The CLIs' entry guard (src/cli/run.ts isEntryPoint): a command runs when its file is the script node was
// started with, whatever the path holds (a space, '#', '%', non-ASCII, a symlink), and not when it is imported.
// The guard it replaced, import.meta.url === `file://${process.argv[1]}`, never matched such a path: the command
// exited 0 having done nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { isEntryPoint } from '../../../src/cli/run.js';
import { REPO_ROOT } from '../../support/cli.js';

/** A command as small as a CLI can be: runCli around a main that echoes its arguments. */
const FIXTURE = `import { runCli } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src/cli/run.ts')).href)};
runCli(import.meta.url, 'fixture', async (argv) => {
  console.log(\`ran with \${argv.join(' ')}\`);
  return 0;
});
`;

function runScript(script: string, args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
}

describe('a CLI started from an awkward path', () => {
  let root: string;
  let script: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'entry-point-'));
    const dir = join(root, 'with space #1 100% été');
    mkdirSync(dir);
    script = join(dir, 'fixture-cli.ts');
    writeFileSync(script, FIXTURE);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('runs when its directory name holds a space and other characters a URL escapes', () => {
    const run = runScript(script, ['a', 'b']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'ran with a b\n');
  });

  it('runs when started through a symlink', () => {
    const link = join(root, 'linked cli.ts');
    symlinkSync(script, link);
    const run = runScript(link, ['c']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'ran with c\n');
  });

  it('a real CLI, reached through a checkout path with a space, prints its usage', () => {
    const checkout = join(root, 'my checkout');
    symlinkSync(REPO_ROOT, checkout);
    const run = runScript(join(checkout, 'src/cli/model-fetch.ts'), ['--help']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^usage: npm run model:fetch -- <hub-id>/);
  });
});

describe('isEntryPoint', () => {
  const self = new URL(import.meta.url);
  it('matches the same file by path, not by URL text', () => {
    assert.equal(isEntryPoint(self.href, decodeURIComponent(self.pathname)), true);
  });
  it('does not match another file, a missing file or no script at all', () => {
    assert.equal(isEntryPoint(self.href, join(REPO_ROOT, 'package.json')), false);
    assert.equal(isEntryPoint(self.href, '/nonexistent/script.ts'), false);
    assert.equal(isEntryPoint(self.href, ''), false);
  });
});
