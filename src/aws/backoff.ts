// Exponential backoff with full jitter, for the parts of AWS batch APIs the SDK does not retry itself
// (UnprocessedItems / UnprocessedKeys of BatchWriteItem / BatchGetItem, failed SendMessageBatch entries)
// and for whole calls that still fail after the SDK's own attempts (sustained throttling).

export interface BackoffOptions {
  /** Attempts in total, the first included (ignored when retryForMs is set). */
  attempts: number;
  baseMs: number;
  maxMs: number;
  /**
   * Retry for this long instead of a number of attempts: a producer that must ride out throttling
   * (minutes) rather than a handler that must answer within its timeout.
   */
  retryForMs?: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { attempts: 8, baseMs: 50, maxMs: 5_000 };

/** Delay before retry number `retry` (1-based): random in [0, min(max, base * 2^retry)). */
export function backoffDelay(retry: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  return Math.random() * Math.min(options.maxMs, options.baseMs * 2 ** retry);
}

/**
 * The retries of one batch: `await schedule.beforeRetry()` sleeps before the next attempt, or answers
 * false when the attempts or the time allowed are used up.
 */
export class RetrySchedule {
  private readonly started = Date.now();
  private retries = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** What the caller gave up after, for its failure reasons. */
  describe(): string {
    return this.options.retryForMs !== undefined
      ? `${this.retries + 1} attempts in ${((Date.now() - this.started) / 1000).toFixed(1)} s ` +
          `(retry budget ${this.options.retryForMs / 1000} s)`
      : `${this.retries + 1} attempts`;
  }

  async beforeRetry(): Promise<boolean> {
    const retry = this.retries + 1;
    const delay = backoffDelay(retry, this.options);
    if (this.options.retryForMs !== undefined) {
      const left = this.started + this.options.retryForMs - Date.now();
      if (left <= 0) return false;
      await sleep(Math.min(delay, left));
    } else {
      if (retry >= this.options.attempts) return false;
      await sleep(delay);
    }
    this.retries = retry;
    return true;
  }
}

const THROTTLING =
  /Throttl|TooManyRequests|RequestLimitExceeded|ProvisionedThroughputExceeded|LimitExceeded|SlowDown|RequestThrottled/;
/** Error names (never message text) of failures a later attempt may not meet again. */
const TRANSIENT_NAMES = new Set([
  'TransactionConflictException',
  'TransactionInProgressException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
]);
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Names the SDK's HTTP handlers give socket failures that carry no code. */
const NETWORK_ERROR_NAMES = new Set(['NetworkingError', 'AbortError', 'TimeoutError', 'SocketError']);

/**
 * True when a whole call failed for a reason that may pass (throttling, a conflict, a service fault, the
 * network), false when retrying cannot help (a missing queue, denied access, a malformed request). Told
 * apart by the SDK's error name, HTTP status, fault and code.
 */
export function isTransientCallError(error: unknown): boolean {
  const e = error as {
    name?: string;
    code?: string;
    cause?: unknown;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if (!e) return false;
  if (e.$retryable) return true;
  if (THROTTLING.test(e.name ?? '') || TRANSIENT_NAMES.has(e.name ?? '') || NETWORK_ERROR_CODES.has(e.code ?? ''))
    return true;
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  if (e.$fault === 'server') return true;
  // No HTTP answer is not enough: a TypeError or missing credentials has none either, and retrying it for the
  // whole budget only hides the bug. The network is recognised by its codes and names (above and here).
  return status === undefined && e.$fault === undefined && isNetworkError(e);
}

/** Socket-level failures the SDK surfaces without an HTTP status: by code, by name, or wrapped in `cause`. */
function isNetworkError(e: { name?: string; code?: string; cause?: unknown }): boolean {
  if (NETWORK_ERROR_CODES.has(e.code ?? '') || NETWORK_ERROR_NAMES.has(e.name ?? '')) return true;
  const cause = e.cause as { name?: string; code?: string } | undefined;
  return cause !== undefined && cause !== e && isNetworkError(cause);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
