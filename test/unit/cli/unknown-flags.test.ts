// Every command the docs show answers an unknown flag the same way: exit 2, a first line on stderr that names
// the flag (no stack trace), nothing on stdout; and npm run bench -- --help prints its usage and exits 0.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mapWithConcurrency } from '../../../src/collections.js';
import { REPO_ROOT, runTsx } from '../../support/cli.js';

const scripts: Record<string, string> = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts;

/** The npm scripts that start a command: `tsx FILE [subcommand]`, as node --import tsx runs them. */
const COMMANDS = Object.entries(scripts).flatMap(([name, line]) => {
  const match = /^tsx (\S+\.ts)((?: [a-z-]+)*)$/.exec(line);
  return match ? [{ name, args: [match[1], ...match[2].trim().split(' ').filter(Boolean)] }] : [];
});
/** `npm run ops -- <sub>` for each subcommand too (the redrive/rescore/... scripts are some of them). */
const OPS_SUBCOMMANDS = ['redrive', 'rescore', 'report', 'recount', 'worker'];

const run = (args: string[]) => runTsx(args, { POWERTOOLS_DEV: 'false' });

describe('unknown flags', () => {
  it('the package scripts include every command the docs name', () => {
    const names = COMMANDS.map((c) => c.name);
    for (const name of ['start', 'classify', 'eval', 'ingest', 'bench', 'model:fetch', 'ops', 'redrive', 'worker'])
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
  });

  it('every command exits 2 with one line naming the flag', { timeout: 120_000 }, async () => {
    const cases = [
      ...COMMANDS.filter((c) => c.name !== 'ops').map((c) => ({ name: c.name, args: c.args })),
      ...OPS_SUBCOMMANDS.map((sub) => ({ name: `ops ${sub}`, args: ['src/cli/ops.ts', sub] })),
    ];
    const runs = await mapWithConcurrency(cases, 3, (c) => run([...c.args, '--no-such-flag']));
    cases.forEach(({ name }, i) => {
      const { code, stdout, stderr } = runs[i];
      assert.equal(code, 2, `npm run ${name} -- --no-such-flag exited ${code}: ${stderr}`);
      assert.match(stderr.split('\n')[0], /Unknown option '--no-such-flag'/, `npm run ${name}: ${stderr}`);
      assert.doesNotMatch(stderr, /^\s+at /m, `npm run ${name} printed a stack trace`);
      assert.equal(stdout, '', `npm run ${name} printed on stdout`);
    });
  });

  it('npm run bench -- --help prints the usage and exits 0', async () => {
    const { code, stdout, stderr } = await run(['bench/bench.ts', '--help']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^usage: npm run bench -- /);
    assert.match(stdout, /--pipeline/);
  });
});
