// How long a record reported as failed stays hidden before its next receive: exponential backoff by its
// receive count, with jitter, so a burst of failures (throttling, a model outage) is not retried into at the
// same pace, and records that failed together do not all come back together.

export interface RetryVisibility {
  /** Hidden for about this long after its first failed receive; doubled at each further receive. */
  baseSeconds: number;
  /** Never longer than this (SQS allows up to 12 hours). */
  maxSeconds: number;
}

/** SQS's limit on a message's visibility timeout. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * The visibility timeout for a record that failed on receive `receiveCount` (1-based): the cap
 * min(max, base * 2^(receiveCount-1)), then "equal jitter" (between half the cap and the cap), in whole
 * seconds as SQS takes them, at least 1.
 */
export function retryVisibilitySeconds(
  receiveCount: number,
  { baseSeconds, maxSeconds }: RetryVisibility,
  random: () => number = Math.random,
): number {
  const receives = Number.isFinite(receiveCount) && receiveCount >= 1 ? Math.floor(receiveCount) : 1;
  const cap = Math.min(maxSeconds, MAX_VISIBILITY_SECONDS, baseSeconds * 2 ** (receives - 1));
  return Math.max(1, Math.ceil(cap / 2 + (random() * cap) / 2));
}

/** The longest a record can wait between its first and its last receive (the sum of the caps): for the docs. */
export function longestRetryWaitSeconds(lastReceive: number, visibility: RetryVisibility): number {
  let total = 0;
  for (let receive = 1; receive < lastReceive; receive++)
    total += Math.min(visibility.maxSeconds, visibility.baseSeconds * 2 ** (receive - 1));
  return total;
}
