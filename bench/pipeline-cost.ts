// What a million posts cost from the classify queue on, from what the pipeline bench measured: DynamoDB
// units per post, Lambda milliseconds and log bytes per invocation, SQS requests by the API's batch limits.
// List prices (us-east-1, on-demand, x86), as in ../shared/notes/aws-semantics.md.

export const PRICES = {
  dynamoDbUsdPerMillionWriteUnits: 0.625,
  dynamoDbUsdPerMillionReadUnits: 0.125,
  sqsUsdPerMillionRequests: 0.4,
  lambdaUsdPerGbSecond: 0.0000166667,
  lambdaUsdPerMillionRequests: 0.2,
  cloudWatchLogsUsdPerGbIngested: 0.5,
} as const;

/** ReceiveMessage, DeleteMessageBatch and SendMessageBatch carry at most 10 messages a request. */
export const SQS_MESSAGES_PER_REQUEST = 10;
/** Lambda's own START / END / REPORT lines per invocation (not printed by the handler, still ingested). */
export const PLATFORM_LOG_BYTES_PER_INVOCATION = 300;

export interface FunctionMeasurement {
  /** Posts (classify) or stream records (aggregate, one per scored post) per invocation. */
  postsPerInvocation: number;
  msPerInvocation: number;
  memoryMb: number;
  /** What the handler wrote to stdout and stderr per invocation (Powertools logs and EMF metrics). */
  logBytesPerInvocation: number;
  writeUnitsPerPost: number;
  readUnitsPerPost: number;
}

export interface CostLine {
  service: string;
  what: string;
  /** Quantity per million posts, in `unit`. */
  quantity: number;
  unit: string;
  usdPerUnit: number;
  usdPerMillionPosts: number;
}

export interface PipelineCost {
  lines: CostLine[];
  totalUsd: number;
  /** The producer's own writes (posts table, SendMessageBatch): stated apart, not in the total. */
  producer: CostLine[];
  producerUsd: number;
  assumptions: string[];
}

const MILLION = 1_000_000;

function line(service: string, what: string, quantity: number, unit: string, usdPerUnit: number): CostLine {
  return { service, what, quantity, unit, usdPerUnit, usdPerMillionPosts: quantity * usdPerUnit };
}

function lambdaLines(name: string, f: FunctionMeasurement): CostLine[] {
  const invocations = MILLION / f.postsPerInvocation;
  const gbSeconds = invocations * (f.msPerInvocation / 1000) * (f.memoryMb / 1024);
  const logGb = (invocations * (f.logBytesPerInvocation + PLATFORM_LOG_BYTES_PER_INVOCATION)) / 1024 ** 3;
  return [
    line(
      'Lambda',
      `${name}: ${Math.round(f.msPerInvocation)} ms x ${f.memoryMb} MB per invocation of ` +
        `${Math.round(f.postsPerInvocation)}`,
      gbSeconds,
      'GB-s',
      PRICES.lambdaUsdPerGbSecond,
    ),
    line('Lambda', `${name}: requests`, invocations, 'requests', PRICES.lambdaUsdPerMillionRequests / MILLION),
    line(
      'CloudWatch Logs',
      `${name}: ${Math.round(f.logBytesPerInvocation)} B logged + ${PLATFORM_LOG_BYTES_PER_INVOCATION} B platform ` +
        'lines per invocation',
      logGb,
      'GB',
      PRICES.cloudWatchLogsUsdPerGbIngested,
    ),
    line(
      'DynamoDB',
      `${name}: write units (${f.writeUnitsPerPost.toFixed(2)} per post)`,
      f.writeUnitsPerPost * MILLION,
      'WRU',
      PRICES.dynamoDbUsdPerMillionWriteUnits / MILLION,
    ),
    line(
      'DynamoDB',
      `${name}: read units (${f.readUnitsPerPost.toFixed(2)} per post)`,
      f.readUnitsPerPost * MILLION,
      'RRU',
      PRICES.dynamoDbUsdPerMillionReadUnits / MILLION,
    ),
  ];
}

export function pipelineCost(
  classify: FunctionMeasurement,
  aggregate: FunctionMeasurement,
  producerWriteUnitsPerPost: number,
): PipelineCost {
  // Lambda's pollers receive up to 10 messages a call and delete them 10 a call, whatever the batch size.
  const sqsRequests = 2 * (MILLION / SQS_MESSAGES_PER_REQUEST);
  const lines = [
    line(
      'SQS',
      'classify queue: ReceiveMessage + DeleteMessageBatch, 10 messages each',
      sqsRequests,
      'requests',
      PRICES.sqsUsdPerMillionRequests / MILLION,
    ),
    ...lambdaLines('classify', classify),
    ...lambdaLines('aggregate', aggregate),
  ];
  const producer = [
    line(
      'DynamoDB',
      `producer: posts table writes (${producerWriteUnitsPerPost.toFixed(2)} per post)`,
      producerWriteUnitsPerPost * MILLION,
      'WRU',
      PRICES.dynamoDbUsdPerMillionWriteUnits / MILLION,
    ),
    line(
      'SQS',
      'producer: SendMessageBatch, 10 messages each',
      MILLION / SQS_MESSAGES_PER_REQUEST,
      'requests',
      PRICES.sqsUsdPerMillionRequests / MILLION,
    ),
  ];
  const sum = (xs: CostLine[]) => xs.reduce((total, x) => total + x.usdPerMillionPosts, 0);
  return {
    lines,
    totalUsd: sum(lines),
    producer,
    producerUsd: sum(producer),
    assumptions: [
      `list prices: DynamoDB on-demand $${PRICES.dynamoDbUsdPerMillionWriteUnits}/M WRU, ` +
        `$${PRICES.dynamoDbUsdPerMillionReadUnits}/M RRU; SQS $${PRICES.sqsUsdPerMillionRequests}/M requests; ` +
        `Lambda x86 $${PRICES.lambdaUsdPerGbSecond}/GB-s + $${PRICES.lambdaUsdPerMillionRequests}/M requests; ` +
        `CloudWatch Logs $${PRICES.cloudWatchLogsUsdPerGbIngested}/GB ingested`,
      'DynamoDB units as DynamoDB Local reported them (ReturnConsumedCapacity TOTAL on every call), ' +
        'except TransactWriteItems: 2 WRU per item per KB ' +
        '(Local reports 4 for any transaction); ' +
        'Lambda ms as measured here against DynamoDB Local (AWS round trips differ), warm invocations only ' +
        '(classify: the median one), the classify model on one thread (1,769 MB is one vCPU)',
      'not per post, so not counted: idle long polls of the SQS pollers, stream reads by the mapping (free), ' +
        'the DLQ and stream-failure queue (empty)',
    ],
  };
}
