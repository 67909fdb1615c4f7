// onnxruntime 1.29+ on Linux reports usage to Microsoft unless ORT_DISABLE_TELEMETRY is set before its first
// session; what it leaves behind when it does is a device id under $HOME/.cache/Microsoft and a log file in TMPDIR. A
// fresh process loads and runs a model through the classifier, with HOME and TMPDIR pointed at empty folders: nothing
// may appear there, unless the operator allows telemetry (which shows the probe sees it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const root = new URL('../../../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'ort-telemetry-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

// onnxruntime stays quiet by itself under these (continuous integration): the child runs without them.
const CI_VARIABLES = ['CI', 'TF_BUILD', 'GITHUB_ACTIONS', 'GITLAB_CI', 'CIRCLECI', 'TRAVIS', 'JENKINS_URL'];

const SCORE_ONE_POST = `
const { loadConfig } = await import('./src/config.ts');
const { loadTransformerClassifier } = await import('./src/classifier/transformer.ts');
const config = loadConfig({ MODEL_DIR: 'models', MODEL_ID: 'impact-sentiment-tur-ngram-v1', ORT_THREADS: '1' });
const [scored] = await (await loadTransformerClassifier(config)).score(['Bugün harika bir gün, çok mutluyum']);
console.log(Object.entries(scored.probabilities).sort((a, b) => b[1] - a[1])[0][0]);
`;

/** Scores one post in a fresh process whose HOME and TMPDIR are new empty folders; answers them. */
function scoreInFreshProcess(extra: Record<string, string>): { home: string; tmp: string } {
  const home = mkdtempSync(join(scratch, 'home-'));
  const tmp = mkdtempSync(join(scratch, 'tmp-'));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TMPDIR: tmp, ...extra };
  for (const name of [...CI_VARIABLES, 'XDG_CACHE_HOME', 'ORT_DISABLE_TELEMETRY']) {
    if (!(name in extra)) delete env[name];
  }
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCORE_ONE_POST], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'positive', 'the model scored the post');
  return { home, tmp };
}

describe('onnxruntime telemetry', () => {
  it('is off: the classifier loads and runs a model and onnxruntime keeps no device id', () => {
    const { home, tmp } = scoreInFreshProcess({});
    assert.equal(existsSync(join(home, '.cache', 'Microsoft')), false);
    // (tsx keeps its cache there too: only onnxruntime's log counts)
    assert.deepEqual(
      readdirSync(tmp).filter((name) => name.startsWith('mat-debug')),
      [],
    );
  });

  it('is on only when the operator sets ORT_DISABLE_TELEMETRY=0 (the probe above can see it)', () => {
    const { home } = scoreInFreshProcess({ ORT_DISABLE_TELEMETRY: '0' });
    assert.equal(existsSync(join(home, '.cache', 'Microsoft')), true);
  });
});
