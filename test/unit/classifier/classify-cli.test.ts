import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the CLI against a model directory that does not exist, so it answers with the lexicon. */
function runClassify(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const env = { ...process.env, MODEL_DIR: '/nonexistent/models' };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/classify.ts', ...args],
      { cwd: repoRoot, env, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('npm run classify', () => {
  it('prints one Sentiment per text, in order, as JSON with --json (logs on stderr only)', async () => {
    const texts = ['I love this, it is wonderful!', '', 'This is awful, I hate it.'];
    const { status, stdout, stderr } = await runClassify(['--json', ...texts]);
    assert.equal(status, 0, stderr);
    const answers = JSON.parse(stdout) as Array<{
      text: string;
      sentiment: { label: string; method: string; flags: object };
    }>;
    assert.deepEqual(
      answers.map((a) => a.text),
      texts,
    );
    assert.deepEqual(
      answers.map((a) => a.sentiment.label),
      ['positive', 'neutral', 'negative'],
    );
    assert.deepEqual(answers[1].sentiment.flags, { empty: true });
    assert.equal(answers[0].sentiment.method, 'lexicon');
    assert.match(stderr, /FALLING BACK TO LEXICON/);
  });

  it('prints one readable line per text', async () => {
    const { status, stdout } = await runClassify(['Great job, thank you!', 'The bus leaves at noon.']);
    assert.equal(status, 0);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^positive .*lexicon:lexicon-afinn-165.*"Great job, thank you!"$/);
    assert.match(lines[1], /^neutral .*"The bus leaves at noon\."$/);
  });

  it('rejects a bad --dtype as a usage error', async () => {
    const { status, stderr } = await runClassify(['--dtype', 'fp16', 'hello']);
    assert.equal(status, 2);
    assert.match(stderr, /--dtype must be q8 or fp32/);
  });
});
