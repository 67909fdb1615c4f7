// npm run bench's contract, not its speed: --json prints one object with the keys the docs name, its throughputs,
// ratios, cold start and cost follow from the raw timings it reports next to them (pass times, cold start parts,
// invocation times) and lie in plausible ranges, and the table renders the same figures. Each describe runs its
// bench once, in `before`; every test reads that run and stands alone. Targets are not asserted here (timing
// belongs to the bench itself, on a quiet machine).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { spawnSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { ensureDistilbertShaped } from '../../bench/distilbert.js';
import { samplePosts } from '../../bench/posts.js';
import { classifierRunCost, type ModelRef } from '../../bench/raw-ort.js';
import { timeTorchEager } from '../../bench/torch-eager.js';
import { formatTable, type BenchResult } from '../../bench/report.js';
import { median } from '../../bench/measure.js';
import { formatPipelineTable, type PipelineBenchResult } from '../../bench/pipeline-report.js';
import { formatBackfill, type BackfillMeasurement } from '../../bench/postgres-backfill.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the bench with --json; answers its stdout, which must be exactly one JSON object. */
async function benchJson(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/bench.ts', '--json', ...args], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
    env,
  });
  return stdout;
}

function assertOneJsonObject(stdout: string): void {
  assert.match(stdout, /^\{\n[\s\S]*\n\}\n$/, 'one pretty-printed object and nothing else');
  assert.equal(typeof JSON.parse(stdout), 'object');
}

/** `actual` within `tolerance` (relative) of `expected`. */
function assertNear(actual: number, expected: number, what: string, tolerance = 0.01): void {
  assert.ok(
    Number.isFinite(actual) && Math.abs(actual - expected) <= tolerance * Math.abs(expected),
    `${what}: ${actual}, expected ${expected} from the raw timings`,
  );
}

/** `value` in (low, high): a figure outside is a broken measurement, not a slow machine. */
function assertWithin(value: number | null | undefined, low: number, high: number, what: string): void {
  assert.ok(typeof value === 'number' && value > low && value < high, `${what} = ${value}, not in (${low}, ${high})`);
}

describe('npm run bench -- --json --quick', { timeout: 600_000 }, () => {
  let stdout: string;
  let result: BenchResult;
  before(async () => {
    stdout = await benchJson(['--quick', '--no-handler', '--no-prod-shape'], { ...process.env, ORT_THREADS: '1' });
    result = JSON.parse(stdout) as BenchResult;
  });

  it('prints exactly one JSON object on stdout, with no errors', () => {
    assertOneJsonObject(stdout);
    assert.deepEqual(result.errors, {});
    assert.equal(result.model.threads, 1);
  });

  it('has the headline keys, each a positive number', () => {
    for (const key of [
      'rawOrtTextsPerSec',
      'classifierTextsPerSec',
      'coldStartMs',
      'routedClassifierTextsPerSec',
      'peakRssMb',
      'costPerMillionUsd',
    ] as const) {
      assert.ok(typeof result[key] === 'number' && result[key]! > 0, `${key} = ${result[key]}`);
    }
  });

  it('derives every classifier throughput from the pass times it reports', () => {
    const { count } = result.texts;
    for (const [dtype, byBatch] of Object.entries(result.classifier)) {
      for (const [batch, t] of Object.entries(byBatch)) {
        const headline = dtype === result.model.defaultDtype && batch === '50';
        assert.equal(t.passMs.length, headline ? result.headToHeadPlan.runs : result.plan.runs, `${dtype}/${batch}`);
        assertNear(t.textsPerSec, (count * 1000) / median(t.passMs), `${dtype} batch ${batch} texts/s`);
        assertNear(t.msPerText, median(t.passMs) / count, `${dtype} batch ${batch} ms/text`);
      }
    }
    assert.equal(result.classifierTextsPerSec, result.classifier[result.model.defaultDtype][50].textsPerSec);
    assertNear(result.lexicon!.textsPerSec, (count * 1000) / median(result.lexicon!.passMs), 'lexicon texts/s');
  });

  it('puts the ratios to raw ORT in plausible ranges, as the pass times give them', () => {
    const passes = result.classifier[result.model.defaultDtype][50].passMs;
    const classifierPerSec = (result.texts.count * 1000) / median(passes);
    assertNear(result.ratioToRawOrt, classifierPerSec / result.rawOrtTextsPerSec, 'ratioToRawOrt');
    assertNear(
      result.ratioToRawOrtSameRuns,
      classifierPerSec / result.rawOrtClassifierRunsTextsPerSec,
      'ratioToRawOrtSameRuns',
    );
    // The classifier runs the same model as raw ORT plus its JavaScript: far slower is a broken classifier, far
    // faster one that skipped work.
    assertWithin(result.ratioToRawOrt, 0.05, 3, 'ratioToRawOrt');
    assertWithin(result.ratioToRawOrtSameRuns, 0.05, 3, 'ratioToRawOrtSameRuns');
    assertWithin(result.sortedAcrossBatches.ratioToRawOrt, 0.05, 3, 'sortedAcrossBatches.ratioToRawOrt');
    assertWithin(result.tokenizeShare, 0, 1, 'tokenizeShare');
    assertNear(result.profile!.measuredClassifierMs, median(passes), 'profile.measuredClassifierMs');
    assertWithin(result.profile!.stagesTotalMs, 0, 2 * median(passes), 'profile.stagesTotalMs');
  });

  it('prices a million posts from the single-thread time and the assumptions it prints', () => {
    const a = result.cost.assumptions;
    const msPerPost = result.singleThread!.msPerPost;
    const perInvocationUsd =
      ((msPerPost * a.postsPerInvocation) / 1000) * (a.memoryMb / 1024) * a.usdPerGbSecond +
      a.usdPerMillionRequests / 1e6;
    assertNear(result.costPerMillionUsd!, (perInvocationUsd * 1e6) / a.postsPerInvocation, 'costPerMillionUsd');
    assert.equal(result.cost.lambdaPerMillionUsd, result.costPerMillionUsd);
    // One thread is the headline configuration here (ORT_THREADS=1), so the single-thread figures are the same run.
    assert.equal(msPerPost, result.classifier[result.model.defaultDtype][50].msPerText);
  });

  it('times a cold start for English-only traffic (one model) and for the mixed posts (both models)', () => {
    assert.ok(result.coldStart && !('skipped' in result.coldStart));
    assert.deepEqual(result.coldStart.firstBatchModels, [result.model.id]);
    assert.equal(result.coldStart.coldStartMs, result.coldStartMs);
    for (const c of [result.coldStart, result.coldStartMixed!])
      assertNear(c.coldStartMs, c.enteredMs + c.importMs + c.loadMs + c.firstBatchMs, 'cold start = its parts', 1e-6);
    assertWithin(result.peakRssMb, 20, 4000, 'peakRssMb');
    const mixed = result.coldStartMixed!;
    assert.ok(mixed.firstBatchModels.includes(result.model.id), mixed.firstBatchModels.join());
    assert.ok(
      loadConfig().multilingualModelIds.some((id) => mixed.firstBatchModels.includes(id)),
      mixed.firstBatchModels.join(),
    );
    assert.ok(typeof result.coldStartMixedMs === 'number' && result.coldStartMixedMs > 0);
  });

  it("takes the floor from the fastest raw-ORT plan, and times the classifier's own plan among them", () => {
    const fastest = result.rawOrtPlans.reduce((a, b) => (b.textsPerSec > a.textsPerSec ? b : a));
    assert.equal(result.floorRunOverheadTokens, fastest.runOverheadTokens);
    const classifierCost = classifierRunCost(result.model, result.model.threads);
    assert.ok(
      result.rawOrtPlans.some((p) => p.runOverheadTokens === classifierCost),
      "the classifier's plan was tried",
    );
    if (result.floorRunOverheadTokens === classifierCost) {
      assert.equal(
        result.rawOrtClassifierRunsTextsPerSec,
        result.rawOrtTextsPerSec,
        'same plan, same head-to-head figure',
      );
    }
    const oneRun = result.rawOrtPlans.find((p) => p.runOverheadTokens === null)!;
    assert.equal(oneRun.runs, Math.ceil(result.texts.count / 50), 'one padded run per batch of 50');
    for (const p of result.rawOrtPlans) assert.ok(p.paddingFactor >= 1, `padding ${p.paddingFactor}`);
    const sorted = result.sortedAcrossBatches;
    assert.ok(sorted.rawOrtTextsPerSec > 0 && sorted.classifierTextsPerSec > 0);
    assert.ok(
      sorted.paddingFactor <= oneRun.paddingFactor,
      'sorting across batches pads no more than one run per batch',
    );
  });

  it('reports the DistilBERT-shaped part as skipped, with nulls, when told to', () => {
    assert.equal(result.prodShape.skipped, '--no-prod-shape');
    for (const key of [
      'rawOrtTextsPerSec',
      'classifierTextsPerSec',
      'ratioToRawOrt',
      'fp32TextsPerSec',
      'q8TextsPerSec',
      'torchEager',
      'ratioToTorchEager',
      'fp32RatioToTorchEager',
    ] as const) {
      assert.equal(result.prodShape[key], null, key);
    }
    const target = result.targets.find((t) => t.name.startsWith('DistilBERT-shaped: classifier'))!;
    assert.equal(target.pass, null);
  });

  it('renders the table from the same object', () => {
    const table = formatTable(result);
    const rate = (perSec: number) => `${perSec.toFixed(0)}\\s+${(1000 / perSec).toFixed(2)}`;
    for (const [dtype, byBatch] of Object.entries(result.classifier))
      for (const [batch, t] of Object.entries(byBatch))
        assert.match(table, new RegExp(`\\n *classifier ${dtype}, batch ${batch} +${rate(t.textsPerSec)}\\n`));
    assert.match(
      table,
      new RegExp(`sorted and cut by the best plan, q8 \\(floor\\) +${rate(result.rawOrtTextsPerSec)}\\n`),
    );
    assert.match(table, new RegExp(`ratio classifier/raw ORT \\(batch 50, q8\\): ${result.ratioToRawOrt.toFixed(3)};`));
    assert.match(table, new RegExp(`English posts: ${result.coldStartMs!.toFixed(0)} ms`));
    assert.match(table, new RegExp(`Lambda 1769 MB \\$${result.costPerMillionUsd!.toFixed(2)};`));
    assert.match(table, /DistilBERT-shaped: skipped \(--no-prod-shape\)/);
    assert.match(table, /cost per million posts: Lambda 1769 MB \$\d/);
    assert.match(table, /(PASS|MISS) {2}cold start to first scored batch, English posts/);
    assert.match(table, /cold start, the bench's mixed languages \(first batch scored by [^)]+ \+ [^)]+\): \d+ ms/);
  });
});

const torchMissing =
  spawnSync('/usr/bin/python3', ['-c', 'import torch, onnx']).status === 0
    ? false
    : '/usr/bin/python3 cannot import torch and onnx (apt-get install python3-torch python3-onnx; .ci/run does)';

describe('the PyTorch eager peer on the DistilBERT-shaped model', { skip: torchMissing, timeout: 600_000 }, () => {
  it("runs the ONNX files' weights on the same token ids and threads, and reports its throughput", async () => {
    const shipped: ModelRef = { dir: `${repoRoot}models`, id: 'impact-sentiment-v2' };
    const shaped = await ensureDistilbertShaped(shipped);
    assert.ok(!('skipped' in shaped), 'torch is importable, so the model is generated');
    const torch = await timeTorchEager(shaped.model, samplePosts(60, 42), 1, { warmups: 0, runs: 1 });
    assert.ok(!('skipped' in torch), 'skipped' in torch ? torch.skipped : '');
    assert.ok(
      torch.maxLogitDifference < 1e-3,
      `PyTorch and onnxruntime fp32 logits differ by ${torch.maxLogitDifference}`,
    );
    assert.equal(torch.threads, 1);
    assert.equal(torch.passMs.length, 1);
    assertNear(torch.textsPerSec, (60 * 1000) / median(torch.passMs), 'PyTorch texts/s from its pass');
    assert.ok(torch.paddingFactor >= 1, `padding ${torch.paddingFactor}`);
    assert.match(torch.torchVersion, /^\d+\.\d+/);
  });
});

describe('npm run bench -- --pipeline --json (a small burst)', { timeout: 600_000 }, () => {
  let stdout: string;
  let result: PipelineBenchResult;
  before(async () => {
    stdout = await benchJson(['--pipeline', '--burst', '400', '--classify-posts', '50']);
    result = JSON.parse(stdout) as PipelineBenchResult;
  });

  it('prints exactly one JSON object on stdout', () => {
    assertOneJsonObject(stdout);
    assert.equal(result.kind, 'pipeline');
    assert.equal(result.burst.records, 400);
    assert.equal(result.classify.posts, 50);
  });

  it('has the keys the docs name, with rates that follow from the invocation times it reports', () => {
    const a = result.aggregate;
    for (const key of ['writeUnitsPerPost', 'readUnitsPerPost', 'costPerMillionPostsUsd'] as const)
      assert.equal(typeof result[key], 'number', key);
    const handlerSeconds = (a.invocations * a.msPerInvocation) / 1000;
    assertNear(a.recordsPerSecond, result.burst.records / handlerSeconds, 'handler records/s', 0.02);
    assertNear(a.perRecordTransactionRecordsPerSecond, result.burst.records / a.reference.seconds, 'reference rate');
    assertNear(
      a.speedup,
      result.burst.records / handlerSeconds / (result.burst.records / a.reference.seconds),
      'speedup',
      0.02,
    );
    // Both sides write the same burst to the same DynamoDB Local: a ratio outside this is a broken measurement.
    assertWithin(a.speedup, 0.1, 10_000, 'speedup');
  });

  it('applied every record exactly once on both sides', () => {
    assert.equal(result.aggregate.failedRecords, 0);
    assert.equal(result.aggregate.matchesRecount, true, 'handler: aggregates equal a recount of the burst');
    assert.equal(result.aggregate.reference.matchesRecount, true, 'reference: aggregates equal a recount of the burst');
    assert.equal(result.classify.failedRecords, 0);
  });

  it('units per post: the reference pays 3 transaction items a record, classify a result write and a post read', () => {
    assert.equal(result.aggregate.reference.writeUnitsPerPost, 6, 'marker + source/day + all-sources, 2 WRU each');
    assert.equal(result.aggregate.reference.transactionUnits.counted, 6 * 400);
    assert.ok(
      result.aggregate.largestItemBytes > 0 && result.aggregate.largestItemBytes < 1024,
      'aggregate items fit one KB, as transactions are counted',
    );
    assert.equal(result.classify.writeUnitsPerPost, 1, 'one conditional Put of a result under 1 KB');
    assert.ok(result.classify.readUnitsPerPost > 0, 'BatchGet of the posts');
    assert.ok(
      Math.abs(result.writeUnitsPerPost - (result.classify.writeUnitsPerPost + result.aggregate.writeUnitsPerPost)) <
        1e-9,
    );
    assert.ok(
      Math.abs(result.readUnitsPerPost - (result.classify.readUnitsPerPost + result.aggregate.readUnitsPerPost)) < 1e-9,
    );
  });

  it('prices every service from the queue on, the producer apart', () => {
    const { cost } = result;
    assert.ok(Math.abs(cost.totalUsd - cost.lines.reduce((sum, l) => sum + l.usdPerMillionPosts, 0)) < 1e-12);
    assert.equal(result.costPerMillionPostsUsd, cost.totalUsd);
    assert.deepEqual([...new Set(cost.lines.map((l) => l.service))].sort(), [
      'CloudWatch Logs',
      'DynamoDB',
      'Lambda',
      'SQS',
    ]);
    for (const l of cost.lines)
      assert.ok(
        l.usdPerMillionPosts >= 0 && Math.abs(l.usdPerMillionPosts - l.quantity * l.usdPerUnit) < 1e-12,
        l.what,
      );
    const dynamoWrites = cost.lines.filter((l) => l.unit === 'WRU').reduce((sum, l) => sum + l.quantity, 0);
    assert.ok(Math.abs(dynamoWrites - result.writeUnitsPerPost * 1e6) < 1e-3);
    assert.ok(
      result.classify.logBytesPerInvocation > 0 && result.aggregate.logBytesPerInvocation > 0,
      'the handlers log something per invocation',
    );
    assert.ok(cost.producer.length > 0 && cost.producer.every((l) => /producer/.test(l.what)));
    assert.ok(!cost.lines.some((l) => /producer/.test(l.what)), 'the producer is not in the total');
  });

  it('judges the three targets and renders the table from the same object', () => {
    assert.equal(result.targets.length, 3);
    for (const t of result.targets) assert.equal(typeof t.pass, 'boolean', t.name);
    const table = formatPipelineTable(result);
    const a = result.aggregate;
    assert.match(
      table,
      new RegExp(`aggregate handler \\(handlers/aggregate\\.ts\\) +${a.recordsPerSecond.toFixed(1)} `),
    );
    assert.match(
      table,
      new RegExp(`reference: one transaction per record +${a.perRecordTransactionRecordsPerSecond.toFixed(1)} `),
    );
    assert.match(table, new RegExp(`ratio handler / reference: ${a.speedup.toFixed(2)}x`));
    assert.match(table, /\n {2}total\s+\$\d/);
    assert.match(table, /(PASS|MISS) {2}DynamoDB write units per scored post/);
  });
});

describe('npm run bench -- --postgres --json (a small table)', { timeout: 600_000 }, () => {
  it('ingests the same rows from PostgreSQL and from their \\copy export, at a quarter and at all', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/bench.ts', '--postgres', '--json', '--rows', '400'],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, env: process.env },
    );
    const result = JSON.parse(stdout) as { kind: string } & BackfillMeasurement;
    assert.equal(result.kind, 'postgres');
    assert.deepEqual(
      result.runs.map((r) => [r.source, r.rows, r.summary]),
      [
        ['file', 100, 'read 100, stored 100, enqueued 100, rejected 0, failed 0'],
        ['postgres', 100, 'read 100, stored 100, enqueued 100, rejected 0, failed 0'],
        ['file', 400, 'read 400, stored 400, enqueued 400, rejected 0, failed 0'],
        ['postgres', 400, 'read 400, stored 400, enqueued 400, rejected 0, failed 0'],
      ],
    );
    for (const r of result.runs) {
      assert.ok(r.peakRssMb > 0, 'the child ingest was sampled');
      assert.ok(Math.abs(r.rowsPerSec * r.seconds - r.rows) < 1e-6);
    }
    const [, quarter, , full] = result.runs;
    assert.ok(Math.abs(result.ratioToFile - full.rowsPerSec / result.runs[2].rowsPerSec) < 1e-9);
    assert.deepEqual(result.postgresPeakRssMb, { quarter: quarter.peakRssMb, full: full.peakRssMb });
    assert.match(formatBackfill(result), /(PASS|MISS) PostgreSQL rows\/s .*x file ingest/);
  });
});
