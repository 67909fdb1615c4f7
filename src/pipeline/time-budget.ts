// What is left of an invocation for retrying within it: Lambda's remaining time minus a safety margin kept for
// answering (the partial batch response, the DLQ sends, the visibility changes). Retries that would run past it
// are left to the next receive instead.
import type { Context } from 'aws-lambda';
import type { BackoffOptions } from '../aws/backoff.js';
import { FUNCTIONS } from '../resources.js';

export class TimeBudget {
  constructor(
    private readonly remainingMs: () => number,
    private readonly marginMs: number,
  ) {}

  /** From the Lambda context; without one (a direct call), the function's timeout from now. */
  static of(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): TimeBudget {
    const { safetyMarginMs, timeoutSeconds } = FUNCTIONS.classify;
    if (typeof context?.getRemainingTimeInMillis === 'function')
      return new TimeBudget(() => context.getRemainingTimeInMillis(), safetyMarginMs);
    const deadline = Date.now() + timeoutSeconds * 1000;
    return new TimeBudget(() => deadline - Date.now(), safetyMarginMs);
  }

  /** Milliseconds that may still be spent before the margin. */
  leftMs(): number {
    return Math.max(0, this.remainingMs() - this.marginMs);
  }

  /** Backoff for retries within the invocation that may use `share` of the time left (exponential, full jitter). */
  backoff(share = 1): BackoffOptions {
    return { attempts: 1, baseMs: 25, maxMs: 1_000, retryForMs: Math.floor(this.leftMs() * share) };
  }
}
