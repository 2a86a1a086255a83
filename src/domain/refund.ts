import type { Fen } from './money';
import type { RefundStatus } from './payment';
import { err, ok, type Result } from './result';

/**
 * One try at refunding an order, inserted under (order, attempt number) before anything else happens:
 * the first writer wins atomically, so every retry and every concurrent caller reuses the same
 * `outRefundNo`, and the provider (idempotent per refund number) refunds the money at most once.
 * A new attempt (a new number) is only ever created after the previous one failed for good.
 */
export interface RefundAttempt {
  readonly orderId: number;
  /** 1, 2, …: attempt n + 1 exists only if attempt n ended closed, abnormal or failed. */
  readonly attempt: number;
  readonly outRefundNo: string;
  readonly refundFen: Fen;
  readonly reason: string;
  readonly createdAt: Date;
}

/**
 * requested: recorded, credits taken back (or being taken), the provider not yet known to have it;
 * processing: the provider accepted it; the rest are outcomes. `failed` = the provider refused the
 * request itself (no money moved). Closed, abnormal and failed give the credits back.
 */
export type RefundState = 'requested' | 'processing' | 'succeeded' | 'closed' | 'abnormal' | 'failed';
export type RefundOutcome = Extract<RefundState, 'succeeded' | 'closed' | 'abnormal' | 'failed'>;

/**
 * An insert-only fact about an attempt, keyed `<outRefundNo>:<stage>`: each stage is recorded once,
 * and because every outcome shares the one `final` key, an attempt can never have two outcomes.
 */
export type RefundEvent =
  | {
      readonly outRefundNo: string;
      readonly stage: 'processing';
      readonly refundId: string | null;
      readonly source: RefundSource;
      readonly at: Date;
    }
  | {
      readonly outRefundNo: string;
      readonly stage: 'final';
      readonly outcome: RefundOutcome;
      readonly refundId: string | null;
      /** Why, for the operator: the provider's status or rejection message. */
      readonly detail: string;
      readonly source: RefundSource;
      readonly at: Date;
    };

export type RefundSource = 'admin' | 'follow' | 'notify';

export const refundEventId = (outRefundNo: string, stage: RefundEvent['stage']) => `${outRefundNo}:${stage}`;

/** The most advanced recorded state; a state is never derived from a status projection. */
export function refundState(events: readonly RefundEvent[]): RefundState {
  const final = events.find((e) => e.stage === 'final');
  if (final?.stage === 'final') return final.outcome;
  return events.some((e) => e.stage === 'processing') ? 'processing' : 'requested';
}

export type GaveUp = Extract<RefundState, 'closed' | 'abnormal' | 'failed'>;
export const gaveUp = (s: RefundState): s is GaveUp => s === 'closed' || s === 'abnormal' || s === 'failed';
export const isFinished = (s: RefundState): boolean => s === 'succeeded' || gaveUp(s);

/** What a provider status means for us; PROCESSING is not an outcome. */
export function outcomeOf(status: RefundStatus['status']): RefundOutcome | null {
  switch (status) {
    case 'SUCCESS':
      return 'succeeded';
    case 'CLOSED':
      return 'closed';
    case 'ABNORMAL':
      return 'abnormal';
    default:
      return null;
  }
}

/**
 * Ledger key of an attempt's deduction. Attempt 1 keeps the historic `refund:<order id>`; a retry after
 * a failed attempt needs its own key, since the failed one was already given back.
 */
export const refundKey = (orderId: number, attempt = 1): string =>
  attempt === 1 ? `refund:${orderId}` : `refund:${orderId}:${attempt}`;

/** Ledger key of the entry that gives a failed attempt's credits back, once. */
export const reversalKey = (outRefundNo: string): string => `refund-reversal:${outRefundNo}`;

export interface Deduction {
  /** Credits actually taken back (0 … owed). */
  readonly amount: number;
  /** owed − amount: what the user had already spent (only ever > 0 with force). */
  readonly shortfall: number;
}

/**
 * How much a refund takes back from a balance. Without force it takes all the order's credits or
 * refuses; with force it takes what is left — never below zero — and the rest is a recorded shortfall.
 */
export function decideDeduction(
  balance: number,
  owed: number,
  force: boolean,
): Result<Deduction, { readonly kind: 'refund_insufficient_credits' }> {
  if (!force && balance < owed) return err({ kind: 'refund_insufficient_credits' });
  const amount = Math.max(0, Math.min(balance, owed));
  return ok({ amount, shortfall: owed - amount });
}

export function deductionText(owed: number, d: Deduction, force: boolean): string {
  if (d.shortfall === 0) return `订单退款扣回${owed}积分`;
  return `订单退款扣回积分：应扣${owed}，余额不足实扣${d.amount}${force ? '（强制退款）' : ''}`;
}

export const REFUND_NO_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * `R` + the order number's digits + random: at most 32 chars of `[A-Za-z0-9]`, as WeChat's
 * out_refund_no requires. The random part keeps it unguessable and distinct from any other order's.
 */
export function makeOutRefundNo(orderNo: string, random: string): string {
  if (!/^[A-Za-z0-9]{1,31}$/.test(random)) throw new Error('refund number suffix must be [A-Za-z0-9]');
  const digits = orderNo.replace(/\D/g, '');
  return `R${digits}${random}`.slice(0, 32);
}
