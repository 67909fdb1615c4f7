// What Lambda's event source mappings do, as a poller: the interface the SQS and stream sources share.

/** Something that polls an AWS source and invokes a function, one batch per pollOnce(). */
export interface EventSource<Result = unknown> {
  readonly name: string;
  /** Polls and invokes at most one batch; undefined when there was nothing to deliver. */
  pollOnce(): Promise<Result | undefined>;
  /** True when nothing is waiting, in flight or unread. */
  isIdle(): Promise<boolean>;
}
