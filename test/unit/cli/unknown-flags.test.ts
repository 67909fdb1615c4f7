// Every command the docs show answers an unknown flag the same way: exit 2, a first line on stderr that names
// the flag (no stack trace), nothing on stdout; and npm run bench -- --help prints its usage and exits 0.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mapWithConcurrency } from '../../../src/collections.js';
import { loadConfig } from '../../../src/config.js';
import { isUsageError } from '../../../src/cli/run.js';
import { recountCommand } from '../../../src/cli/ops/recount.js';
import { redriveCommand } from '../../../src/cli/ops/redrive.js';
import { reportCommand } from '../../../src/cli/ops/report.js';
import { rescoreCommand } from '../../../src/cli/ops/rescore.js';
import { syncPostgresCommand } from '../../../src/cli/ops/sync-postgres.js';
import { workerCommand } from '../../../src/cli/ops/worker.js';
import { REPO_ROOT, runTsx } from '../../support/cli.js';

const scripts: Record<string, string> = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts;

/**
 * The npm scripts that start a command: `tsx FILE [subcommand]` or `node [node flags] --import tsx FILE`, as
 * node --import tsx runs them.
 */
const COMMANDS = Object.entries(scripts).flatMap(([name, line]) => {
  const match = /^(?:tsx|node(?: --[\w=-]+)* --import tsx) (\S+\.ts)((?: [a-z-]+)*)$/.exec(line);
  return match ? [{ name, args: [match[1], ...match[2].trim().split(' ').filter(Boolean)] }] : [];
});
/** The ops subcommands, each one file in src/cli/ops/ (and an npm script of its own). */
const OPS_SUBCOMMANDS = {
  recount: recountCommand,
  redrive: redriveCommand,
  report: reportCommand,
  rescore: rescoreCommand,
  worker: workerCommand,
  'sync-postgres': syncPostgresCommand,
};

const run = (args: string[]) => runTsx(args, { POWERTOOLS_DEV: 'false' });

describe('unknown flags', () => {
  it('finds the commands in package.json, and each ops subcommand with a script of its own', () => {
    const names = COMMANDS.map((c) => c.name);
    for (const name of ['start', 'classify', 'eval', 'ingest', 'bench', 'model:fetch', 'ops'])
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    for (const sub of Object.keys(OPS_SUBCOMMANDS))
      assert.deepEqual(COMMANDS.find((c) => c.name === sub)?.args, ['src/cli/ops.ts', sub], `npm run ${sub}`);
  });

  it('every command exits 2 with one line naming the flag', { timeout: 120_000 }, async () => {
    // Each command once; the ops subcommands share ops.ts's way out, so one of them stands for all here and the
    // next test shows that each rejects the flag as a usage error (what ops.ts turns into exit 2).
    const cases = [
      ...COMMANDS.filter((c) => c.args[0] !== 'src/cli/ops.ts'),
      { name: 'ops redrive', args: ['src/cli/ops.ts', 'redrive'] },
    ];
    const runs = await mapWithConcurrency(cases, 2, (c) => run([...c.args, '--no-such-flag']));
    cases.forEach(({ name }, i) => {
      const { code, stdout, stderr } = runs[i];
      assert.equal(code, 2, `npm run ${name} -- --no-such-flag exited ${code}: ${stderr}`);
      assert.match(stderr.split('\n')[0], /Unknown option '--no-such-flag'/, `npm run ${name}: ${stderr}`);
      assert.doesNotMatch(stderr, /^\s+at /m, `npm run ${name} printed a stack trace`);
      assert.equal(stdout, '', `npm run ${name} printed on stdout`);
    });
  });

  it('every ops subcommand rejects an unknown flag as a usage error before doing anything', async () => {
    for (const [name, command] of Object.entries(OPS_SUBCOMMANDS))
      await assert.rejects(
        command.run(loadConfig({}), ['--no-such-flag']),
        (error) => isUsageError(error) && /--no-such-flag/.test((error as Error).message),
        name,
      );
  });

  it('npm run bench -- --help prints the usage and exits 0', async () => {
    const { code, stdout, stderr } = await run(['bench/bench.ts', '--help']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^usage: npm run bench -- /);
    assert.match(stdout, /--pipeline/);
  });
});
