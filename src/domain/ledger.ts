import { err, ok, type Result } from './result';

export type EntryType = 'purchase' | 'refund' | 'adjust' | 'consume';

/** One append-only line of a user's credit history; `seq` is gap-free per user and `balanceAfter` is the balance. */
export interface LedgerEntry {
  readonly id: number;
  readonly userId: number;
  readonly seq: number;
  readonly amount: number;
  readonly balanceAfter: number;
  readonly type: EntryType;
  readonly description: string;
  readonly relatedOrderId: number | null;
  readonly idempotencyKey: string;
  readonly createdAt: Date;
}

export type NewLedgerEntry = Omit<LedgerEntry, 'id'>;

export interface EntryRequest {
  readonly userId: number;
  readonly amount: number;
  readonly type: EntryType;
  readonly description: string;
  readonly relatedOrderId: number | null;
  readonly idempotencyKey: string;
}

export const purchaseKey = (orderId: number): string => `purchase:${orderId}`;

export const balanceOf = (head: LedgerEntry | null): number => head?.balanceAfter ?? 0;

/**
 * The entry that follows `head`; refuses to take the balance below zero. Only a refund may be zero:
 * a forced refund of credits already spent records that it took nothing back, so the decision is
 * made once, under its key, like any other deduction.
 */
export function nextEntry(
  head: LedgerEntry | null,
  req: EntryRequest,
  now: Date,
): Result<NewLedgerEntry, { readonly kind: 'insufficient_credits' }> {
  if (!Number.isSafeInteger(req.amount) || (req.amount === 0 && req.type !== 'refund'))
    throw new Error('ledger amount must be a non-zero integer');
  const balanceAfter = balanceOf(head) + req.amount;
  if (balanceAfter < 0) return err({ kind: 'insufficient_credits' });
  return ok({ ...req, seq: (head?.seq ?? 0) + 1, balanceAfter, createdAt: now });
}
