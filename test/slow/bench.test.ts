// npm run bench's contract, not its speed: --json prints one object with the keys the README and issue name,
// the numbers are consistent with each other, and the table renders from it. Targets are not asserted here
// (timing belongs to the bench itself, on a quiet machine).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { ensureDistilbertShaped } from '../../bench/distilbert.js';
import { samplePosts } from '../../bench/posts.js';
import { classifierRunCost, type ModelRef } from '../../bench/raw-ort.js';
import { timeTorchEager } from '../../bench/torch-eager.js';
import { formatTable, type BenchResult } from '../../bench/report.js';
import { formatPipelineTable, type PipelineBenchResult } from '../../bench/pipeline-report.js';
import { formatBackfill, type BackfillMeasurement } from '../../bench/postgres-backfill.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run bench -- --json --quick', { timeout: 600_000 }, () => {
  let result: BenchResult;

  it('prints exactly one JSON object on stdout', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/bench.ts', '--json', '--quick', '--no-handler', '--no-prod-shape'],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ORT_THREADS: '1' } },
    );
    result = JSON.parse(stdout) as BenchResult;
    assert.deepEqual(result.errors, {});
  });

  it('has the required keys, with positive throughputs and a ratio that is their quotient', () => {
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
    assert.ok(Math.abs(result.ratioToRawOrt - result.classifierTextsPerSec / result.rawOrtTextsPerSec) < 1e-9);
    assert.ok(result.tokenizeShare > 0 && result.tokenizeShare < 1, `tokenizeShare ${result.tokenizeShare}`);
    assert.equal(result.model.threads, 1);
  });

  it('times a cold start for English-only traffic (one model) and for the mixed posts (both models)', () => {
    assert.ok(result.coldStart && !('skipped' in result.coldStart));
    assert.deepEqual(result.coldStart.firstBatchModels, [result.model.id]);
    assert.equal(result.coldStart.coldStartMs, result.coldStartMs);
    const mixed = result.coldStartMixed!;
    assert.ok(mixed.firstBatchModels.includes(result.model.id), mixed.firstBatchModels.join());
    assert.ok(mixed.firstBatchModels.includes(loadConfig().multilingualModelId!), mixed.firstBatchModels.join());
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
    assert.match(table, /raw ORT, batches of 50 sorted and cut by the best plan, q8 \(floor\)\s+\d+/);
    assert.match(table, /classifier q8, batch 50\s+\d+/);
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
    assert.ok(torch.textsPerSec > 0 && Math.abs(torch.msPerText * torch.textsPerSec - 1000) < 1e-6);
    assert.ok(torch.paddingFactor >= 1, `padding ${torch.paddingFactor}`);
    assert.match(torch.torchVersion, /^\d+\.\d+/);
  });
});

describe('npm run bench -- --pipeline --json (a small burst)', { timeout: 600_000 }, () => {
  let result: PipelineBenchResult;

  it('prints exactly one JSON object on stdout', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/bench.ts', '--pipeline', '--json', '--burst', '400', '--classify-posts', '50'],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, env: process.env },
    );
    result = JSON.parse(stdout) as PipelineBenchResult;
    assert.equal(result.kind, 'pipeline');
  });

  it('has the keys the issue names, with rates whose quotient is the speedup', () => {
    const a = result.aggregate;
    assert.ok(a.recordsPerSecond > 0 && a.perRecordTransactionRecordsPerSecond > 0);
    assert.ok(Math.abs(a.speedup - a.recordsPerSecond / a.perRecordTransactionRecordsPerSecond) < 1e-9);
    for (const key of ['writeUnitsPerPost', 'readUnitsPerPost', 'costPerMillionPostsUsd'] as const)
      assert.equal(typeof result[key], 'number', key);
    assert.equal(result.burst.records, 400);
    assert.equal(result.classify.posts, 50);
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
    assert.match(table, /aggregate handler \(handlers\/aggregate\.ts\)\s+[\d.]+/);
    assert.match(table, /reference: one transaction per record\s+[\d.]+/);
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
