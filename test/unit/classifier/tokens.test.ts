import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeForModel, hiddenSizeOf, planBatches, runOverheadTokens } from '../../../src/classifier/tokens.js';

const CLS = 101;
const SEP = 102;
const bert = { prefix: 1, suffix: 1 };

describe('encodeForModel', () => {
  it('leaves sequences within the limit unchanged', () => {
    assert.deepEqual(encodeForModel([CLS, 5, 6, SEP], bert, 4), { ids: [CLS, 5, 6, SEP], truncated: false });
  });

  it('cuts long sequences to the limit and keeps the closing special token', () => {
    const ids = [CLS, ...Array.from({ length: 20 }, (_, i) => i + 1), SEP];
    const { ids: cut, truncated } = encodeForModel(ids, bert, 8);
    assert.equal(truncated, true);
    assert.deepEqual(cut, [CLS, 1, 2, 3, 4, 5, 6, SEP]);
  });

  it('handles tokenizers without a closing token', () => {
    assert.deepEqual(encodeForModel([CLS, 1, 2, 3, 4], { prefix: 1, suffix: 0 }, 3).ids, [CLS, 1, 2]);
  });
});

describe('planBatches', () => {
  it('covers every index exactly once, shortest texts first', () => {
    const lengths = [50, 3, 20, 3, 8, 100, 1];
    const runs = planBatches(lengths, 3, 10_000, 64);
    assert.deepEqual(
      runs.flat().sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6],
    );
    const flat = runs.flat().map((i) => lengths[i]);
    assert.deepEqual(
      flat,
      [...flat].sort((a, b) => a - b),
    );
    assert.ok(runs.every((run) => run.length <= 3));
  });

  it('closes a run before its padded size passes the token budget', () => {
    const runs = planBatches([10, 10, 10, 40, 40], 64, 80, 64);
    for (const run of runs) {
      const longest = Math.max(...run.map((i) => [10, 10, 10, 40, 40][i]));
      assert.ok(run.length * longest <= 80, JSON.stringify(runs));
    }
  });

  it('still runs a single text longer than the budget on its own', () => {
    assert.deepEqual(planBatches([5000], 64, 100, 64), [[0]]);
  });

  it('runs one long post apart instead of padding a batch of short ones to its length', () => {
    // One run: 5 x 120 padded tokens; two runs: 4 x 5 + 1 x 120 plus one more run's overhead.
    assert.deepEqual(planBatches([5, 120, 5, 5, 5], 64, 10_000, 64), [[0, 2, 3, 4], [1]]);
  });

  it('keeps similar lengths together in one run when another run would cost more than it saves', () => {
    assert.deepEqual(planBatches([30, 32, 31, 29], 64, 10_000, 64), [[3, 0, 2, 1]]);
  });

  it('cuts into more runs when a run costs less (one thread) than when it costs more (a thread pool)', () => {
    const lengths = [4, 6, 8, 10, 12, 14, 16, 18, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128];
    const one = planBatches(lengths, 64, 8192, runOverheadTokens(1, 256));
    const pool = planBatches(lengths, 64, 8192, runOverheadTokens(2, 256));
    assert.ok(one.length > pool.length, `${one.length} runs on one thread, ${pool.length} on two`);
  });

  it('returns no runs for no texts', () => {
    assert.deepEqual(planBatches([], 8, 100, 64), []);
  });
});

describe('runOverheadTokens', () => {
  it('counts a run as more padded tokens on a thread pool than on one thread, and fewer on a wider model', () => {
    for (const width of [128, 256, 768, 1024])
      assert.ok(runOverheadTokens(2, width) > runOverheadTokens(1, width), `width ${width}`);
    for (const threads of [1, 2, 4])
      assert.ok(runOverheadTokens(threads, 768) <= runOverheadTokens(threads, 256), `${threads} threads`);
    assert.equal(runOverheadTokens(2, 256), 128); // the shipped model on two threads: sweeps found 128-256 fastest
    assert.equal(runOverheadTokens(2, 768), 32); // DistilBERT-shaped on two threads: 32-64 fastest
  });

  it('is a power of two, never below 16', () => {
    for (const width of [64, 256, 4096, 16384]) {
      const cost = runOverheadTokens(1, width);
      assert.ok(cost >= 16 && Number.isInteger(Math.log2(cost)), `${width}: ${cost}`);
    }
  });

  it('reads the width from BERT, DistilBERT and d_model configs, else assumes BERT-base', () => {
    assert.equal(hiddenSizeOf({ hidden_size: 256 }), 256);
    assert.equal(hiddenSizeOf({ dim: 768 }), 768);
    assert.equal(hiddenSizeOf({ d_model: 512 }), 512);
    assert.equal(hiddenSizeOf({}), 768);
  });
});
