// A dead-lettered post, as the failures table keeps it (one item per postId, replaced by a later failure): the
// classify function writes it beside the DLQ message, so the reason reaches the users' PostgreSQL through the
// table's stream (the DLQ is a queue the operators drain, not something a second reader can follow).
import { z } from 'zod';
import type { FailureReason } from './failures.js';

export type FailureRecord = {
  postId: string;
  reason: FailureReason;
  detail: string;
  failedAt: string;
};

export const FailureRecordSchema = z.object({
  postId: z.string().min(1),
  reason: z.string().min(1),
  detail: z.string(),
  failedAt: z.string().min(1),
});

/** What the failure column receives: the reason, then the detail when it says more. */
export function failureText(record: { reason: string; detail: string }): string {
  return record.detail && record.detail !== record.reason ? `${record.reason}: ${record.detail}` : record.reason;
}
