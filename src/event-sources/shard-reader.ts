// The reading half of Lambda's DynamoDB stream mapping: discover the stream's shards, read each in order
// (a child only after its parent is done), keep what was read until it is checkpointed, and re-open an
// expired iterator after the last record read. What to do with the records is the delivery policy's
// (stream-event-source.ts).
import type { _Record, DynamoDBStreamsClient, Shard } from '@aws-sdk/client-dynamodb-streams';
import { listShards, readRecords, shardIterator } from '../aws/dynamodb-streams.js';

export interface ShardState {
  shardId: string;
  parentShardId?: string;
  iterator: string | undefined;
  started: boolean;
  /** Last sequence number read from the stream (pending or done). */
  lastRead?: string;
  /** Read but not yet checkpointed, in sequence order. */
  pending: _Record[];
  /** Closed shard whose records are all read and checkpointed. */
  finished: boolean;
  /** Largest batch to deliver next (halved while bisecting). */
  batchLimit: number;
  /** Failed invocations with the same record at the head of the batch. */
  headFailures: number;
}

export interface ShardReaderOptions {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  batchSize: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
}

export class ShardReader {
  private readonly shards = new Map<string, ShardState>();

  constructor(private readonly options: ShardReaderOptions) {}

  /** Shards with records to read or deliver whose parent (if we saw it) is done. */
  async readableShards(): Promise<ShardState[]> {
    for (const shard of await listShards(this.options.streams, this.options.streamArn)) this.track(shard);
    // Lambda processes a child shard only after its parent is done; a parent we never saw was trimmed.
    return [...this.shards.values()].filter(
      (s) =>
        !s.finished &&
        (!s.parentShardId || !this.shards.has(s.parentShardId) || this.shards.get(s.parentShardId)!.finished),
    );
  }

  /** Every shard seen is finished or has nothing read that is not checkpointed. */
  allCheckpointed(): boolean {
    return [...this.shards.values()].every((s) => s.finished || s.pending.length === 0);
  }

  /** Tops up the shard's pending records to a batch; marks a closed, drained shard finished. */
  async read(shard: ShardState): Promise<void> {
    if (shard.pending.length >= this.options.batchSize) return;
    if (!shard.started) {
      shard.iterator = await this.iterator(shard, this.options.startingPosition);
      shard.started = true;
    }
    if (shard.iterator === undefined) {
      if (shard.pending.length === 0) shard.finished = true;
      return;
    }
    const page = await readRecords(this.options.streams, shard.iterator, this.options.batchSize - shard.pending.length);
    if (page.expired) {
      shard.iterator = await this.iterator(shard, shard.lastRead ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON');
      return;
    }
    shard.pending.push(...page.records);
    if (page.records.length > 0) shard.lastRead = page.records[page.records.length - 1].dynamodb!.SequenceNumber;
    shard.iterator = page.next; // none: the shard is closed and read to its end
    if (shard.iterator === undefined && shard.pending.length === 0) shard.finished = true;
  }

  /** The first `count` pending records are done: drop them and reset the retry state. */
  checkpoint(shard: ShardState, count: number): void {
    shard.pending.splice(0, count);
    shard.batchLimit = this.options.batchSize;
    shard.headFailures = 0;
    if (shard.iterator === undefined && shard.pending.length === 0) shard.finished = true;
  }

  private track(shard: Shard): void {
    if (!shard.ShardId || this.shards.has(shard.ShardId)) return;
    this.shards.set(shard.ShardId, {
      shardId: shard.ShardId,
      parentShardId: shard.ParentShardId,
      iterator: undefined,
      started: false,
      pending: [],
      finished: false,
      batchLimit: this.options.batchSize,
      headFailures: 0,
    });
  }

  private iterator(
    shard: ShardState,
    type: 'TRIM_HORIZON' | 'LATEST' | 'AFTER_SEQUENCE_NUMBER',
  ): Promise<string | undefined> {
    return shardIterator(this.options.streams, this.options.streamArn, shard.shardId, type, shard.lastRead);
  }
}
