// What a million posts cost on Lambda at the classify function's size, next to the alternatives.

export const LAMBDA = {
  memoryMb: 1769,
  /** x86, us-east-1 list price. */
  usdPerGbSecond: 0.0000166667,
  usdPerMillionRequests: 0.2,
  postsPerInvocation: 50,
} as const;

/** AWS Comprehend sentiment: $0.0001 per 100-character unit, 3-unit minimum, so a tweet-sized post is 3 units. */
export const COMPREHEND_USD_PER_MILLION = 1_000_000 * 3 * 0.0001;

/** The seed's Python plan: ~5 s per batch of 50 on a 3 GB Lambda (10 texts/s). */
export const SEED_PYTHON = { msPerBatch: 5000, memoryMb: 3072, textsPerSec: 10 } as const;

export interface CostAssumptions {
  memoryMb: number;
  usdPerGbSecond: number;
  usdPerMillionRequests: number;
  postsPerInvocation: number;
  note: string;
}

export const COST_ASSUMPTIONS: CostAssumptions = {
  ...LAMBDA,
  note:
    'x86 list prices; 1,769 MB is one vCPU, so the single-thread ms per post is used; billed duration = ' +
    'classify time only (handler I/O and cold starts excluded); requests = 1 per 50 posts.',
};

/** Lambda compute + request cost of a million posts at `msPerPost` on a function of `memoryMb`. */
export function lambdaCostPerMillion(
  msPerPost: number,
  memoryMb: number = LAMBDA.memoryMb,
  postsPerInvocation: number = LAMBDA.postsPerInvocation,
): number {
  const gbSeconds = (msPerPost / 1000) * 1_000_000 * (memoryMb / 1024);
  const requests = (1_000_000 / postsPerInvocation) * (LAMBDA.usdPerMillionRequests / 1_000_000);
  return gbSeconds * LAMBDA.usdPerGbSecond + requests;
}

export const seedPythonCostPerMillion = (): number =>
  lambdaCostPerMillion(SEED_PYTHON.msPerBatch / 50, SEED_PYTHON.memoryMb, 50);
