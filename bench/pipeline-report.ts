// The pipeline bench's result (what `--pipeline --json` prints), its targets and the readable report.
import { pipelineCost, type FunctionMeasurement, type PipelineCost } from './pipeline-cost.js';
import type { PipelineMeasurement } from './pipeline-run.js';
import type { Machine } from './measure.js';
import type { Target } from './report.js';
import { FUNCTIONS } from '../src/resources.js';

export interface PipelineBenchResult {
  kind: 'pipeline';
  startedAt: string;
  machine: Machine;
  burst: PipelineMeasurement['burst'];
  aggregate: {
    recordsPerSecond: number;
    perRecordTransactionRecordsPerSecond: number;
    /** recordsPerSecond / perRecordTransactionRecordsPerSecond, measured side by side. */
    speedup: number;
    invocations: number;
    retries: number;
    failedRecords: number;
    msPerInvocation: number;
    logBytesPerInvocation: number;
    writeUnitsPerPost: number;
    readUnitsPerPost: number;
    matchesRecount: boolean;
    /** Largest item of the handler's aggregates table (markers included), in bytes. */
    largestItemBytes: number;
    /** TransactWriteItems units as DynamoDB Local reported them, and as counted (AWS's 2 per item per KB). */
    transactionUnits: { reported: number; counted: number };
    reference: {
      seconds: number;
      writeUnitsPerPost: number;
      readUnitsPerPost: number;
      matchesRecount: boolean;
      transactionUnits: { reported: number; counted: number };
    };
  };
  classify: {
    posts: number;
    invocations: number;
    method: string;
    msPerInvocation: number;
    logBytesPerInvocation: number;
    writeUnitsPerPost: number;
    readUnitsPerPost: number;
    failedRecords: number;
  };
  producer: { writeUnitsPerPost: number };
  /** classify + aggregate, per scored post. */
  writeUnitsPerPost: number;
  readUnitsPerPost: number;
  costPerMillionPostsUsd: number;
  cost: PipelineCost;
  targets: Target[];
}

export const PIPELINE_TARGETS = { speedup: 10, writeUnitsPerPost: 3.5, costPerMillionPostsUsd: 2.5 } as const;

export function pipelineResult(m: PipelineMeasurement, machine: Machine): PipelineBenchResult {
  const records = m.burst.records;
  const aggregateRate = records / m.aggregate.seconds;
  const referenceRate = records / m.reference.seconds;
  const classifyPerPost = {
    write: m.classify.units.write / m.classify.posts,
    read: m.classify.units.read / m.classify.posts,
  };
  const aggregatePerPost = { write: m.aggregate.units.write / records, read: m.aggregate.units.read / records };
  const classifyFn: FunctionMeasurement = {
    postsPerInvocation: m.classify.postsPerInvocation,
    msPerInvocation: m.classify.msPerInvocation,
    memoryMb: m.classify.memoryMb,
    logBytesPerInvocation: m.classify.logBytesPerInvocation,
    writeUnitsPerPost: classifyPerPost.write,
    readUnitsPerPost: classifyPerPost.read,
  };
  const aggregateFn: FunctionMeasurement = {
    postsPerInvocation: records / m.aggregate.invocations,
    msPerInvocation: m.aggregate.msPerInvocation,
    memoryMb: FUNCTIONS.aggregate.memorySizeMb,
    logBytesPerInvocation: m.aggregate.logBytesPerInvocation,
    writeUnitsPerPost: aggregatePerPost.write,
    readUnitsPerPost: aggregatePerPost.read,
  };
  const producerWrite = m.producer.units.write / m.producer.posts;
  const cost = pipelineCost(classifyFn, aggregateFn, producerWrite);
  const result: PipelineBenchResult = {
    kind: 'pipeline',
    startedAt: new Date().toISOString(),
    machine,
    burst: m.burst,
    aggregate: {
      recordsPerSecond: aggregateRate,
      perRecordTransactionRecordsPerSecond: referenceRate,
      speedup: aggregateRate / referenceRate,
      invocations: m.aggregate.invocations,
      retries: m.aggregate.retries,
      failedRecords: m.aggregate.failedRecords,
      msPerInvocation: m.aggregate.msPerInvocation,
      logBytesPerInvocation: m.aggregate.logBytesPerInvocation,
      writeUnitsPerPost: aggregatePerPost.write,
      readUnitsPerPost: aggregatePerPost.read,
      matchesRecount: m.aggregate.matchesRecount,
      largestItemBytes: m.aggregate.largestItemBytes,
      transactionUnits: {
        reported: m.aggregate.units.transactionUnitsReported,
        counted: m.aggregate.units.transactionUnitsCounted,
      },
      reference: {
        seconds: m.reference.seconds,
        writeUnitsPerPost: m.reference.units.write / records,
        readUnitsPerPost: m.reference.units.read / records,
        matchesRecount: m.reference.matchesRecount,
        transactionUnits: {
          reported: m.reference.units.transactionUnitsReported,
          counted: m.reference.units.transactionUnitsCounted,
        },
      },
    },
    classify: {
      posts: m.classify.posts,
      invocations: m.classify.invocations,
      method: m.classify.method,
      msPerInvocation: m.classify.msPerInvocation,
      logBytesPerInvocation: m.classify.logBytesPerInvocation,
      writeUnitsPerPost: classifyPerPost.write,
      readUnitsPerPost: classifyPerPost.read,
      failedRecords: m.classify.failedRecords,
    },
    producer: { writeUnitsPerPost: producerWrite },
    writeUnitsPerPost: classifyPerPost.write + aggregatePerPost.write,
    readUnitsPerPost: classifyPerPost.read + aggregatePerPost.read,
    costPerMillionPostsUsd: cost.totalUsd,
    cost,
    targets: [],
  };
  result.targets = [
    target(
      'aggregate handler records/s vs one transaction per record (same run)',
      result.aggregate.speedup,
      `>= ${PIPELINE_TARGETS.speedup}x`,
      result.aggregate.speedup >= PIPELINE_TARGETS.speedup,
    ),
    target(
      'DynamoDB write units per scored post (classify + aggregate)',
      result.writeUnitsPerPost,
      `<= ${PIPELINE_TARGETS.writeUnitsPerPost}`,
      result.writeUnitsPerPost <= PIPELINE_TARGETS.writeUnitsPerPost,
    ),
    target(
      'cost per million posts from the queue on (USD)',
      result.costPerMillionPostsUsd,
      `<= ${PIPELINE_TARGETS.costPerMillionPostsUsd}`,
      result.costPerMillionPostsUsd <= PIPELINE_TARGETS.costPerMillionPostsUsd,
    ),
  ];
  return result;
}

function target(name: string, value: number, limit: string, pass: boolean): Target {
  return { name, value, limit, pass };
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const usd = (x: number) => `$${x < 0.01 ? x.toFixed(4) : x.toFixed(3)}`;

export function formatPipelineTable(r: PipelineBenchResult): string {
  const a = r.aggregate;
  const lines = [
    `impact-sentiment bench --pipeline  ${r.startedAt}`,
    `machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, load ${r.machine.load1}; ` +
      'DynamoDB Local (in memory) + fauxqs',
    `burst: ${r.burst.records} results (${r.burst.days} days in arrival order, ${r.burst.sources} sources mixed), ` +
      `written in ${f1(r.burst.writeSeconds)} s; stream records read back from DynamoDB Streams; ` +
      `batches of ${r.burst.batchSize}`,
    '',
    'write path                                              records/s     seconds   ' +
      'WRU/post   RRU/post   equals recount',
    row(
      'aggregate handler (handlers/aggregate.ts)',
      a.recordsPerSecond,
      r.burst.records / a.recordsPerSecond,
      a.writeUnitsPerPost,
      a.readUnitsPerPost,
      a.matchesRecount,
    ),
    row(
      'reference: one transaction per record',
      a.perRecordTransactionRecordsPerSecond,
      a.reference.seconds,
      a.reference.writeUnitsPerPost,
      a.reference.readUnitsPerPost,
      a.reference.matchesRecount,
    ),
    `ratio handler / reference: ${f2(a.speedup)}x; handler: ${a.invocations} invocations (${a.retries} retried, ` +
      `${a.failedRecords} records failed), ${f1(a.msPerInvocation)} ms and ${Math.round(a.logBytesPerInvocation)} ` +
      'log bytes per invocation',
    'transactions counted as AWS bills them, ' +
      '2 WRU per item per KB (DynamoDB Local reports 4 for any TransactWriteItems): ' +
      `handler ${a.transactionUnits.counted} (Local said ${a.transactionUnits.reported}), ` +
      `reference ${a.reference.transactionUnits.counted} (Local said ${a.reference.transactionUnits.reported}); ` +
      `largest aggregate-table item ${a.largestItemBytes} B`,
    `classify handler: ${r.classify.posts} posts in ${r.classify.invocations} SQS events (${r.classify.method}), ` +
      `${f1(r.classify.msPerInvocation)} ms and ${Math.round(r.classify.logBytesPerInvocation)} log bytes ` +
      'per invocation, ' +
      `${f2(r.classify.writeUnitsPerPost)} WRU + ${f2(r.classify.readUnitsPerPost)} RRU per post` +
      `${r.classify.failedRecords ? `, ${r.classify.failedRecords} records failed` : ''}`,
    `per scored post (classify + aggregate): ${f2(r.writeUnitsPerPost)} WRU, ${f2(r.readUnitsPerPost)} RRU`,
    '',
    'cost per million posts, from the queue on',
    ...r.cost.lines.map((l) => `  ${`${l.service}, ${l.what}`.padEnd(96)} ${usd(l.usdPerMillionPosts).padStart(9)}`),
    `  ${'total'.padEnd(96)} ${usd(r.cost.totalUsd).padStart(9)}`,
    `  not in the total, the producer's own writes: ` +
      `${r.cost.producer.map((l) => `${l.what} ${usd(l.usdPerMillionPosts)}`).join('; ')}`,
    ...r.cost.assumptions.map((s) => `  ${s}`),
    '',
    ...r.targets.map(
      (t) => `${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.value === null ? 'n/a' : f2(t.value)} (target ${t.limit})`,
    ),
  ];
  return lines.join('\n');
}

function row(name: string, rate: number, seconds: number, wru: number, rru: number, exact: boolean): string {
  return (
    `${name.padEnd(52)} ${f1(rate).padStart(11)} ${f1(seconds).padStart(11)} ` +
    `${f2(wru).padStart(10)} ${f2(rru).padStart(10)}   ${exact ? 'yes' : 'NO'}`
  );
}
