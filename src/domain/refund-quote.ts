import type { Fen } from './money';
import type { Order } from './order';
import { decideDeduction, gaveUp, type RefundState } from './refund';

/** An attempt as the quote needs it: its number, refund number, state and what it already took back. */
export interface QuotedAttempt {
  readonly attempt: number;
  readonly outRefundNo: string;
  readonly state: RefundState;
  /** Credits the attempt's deduction took; null when none was decided yet. */
  readonly creditsTaken: number | null;
}

/**
 * What a refund POST would do now, shown to the operator before confirming (refundOrder decides;
 * this mirrors its rules without recording anything):
 * - `new`: claim attempt 1; `retry`: claim attempt n + 1 after the latest gave up (retry_of);
 * - `continue`: the latest attempt is still requested/processing — the POST follows it, takes nothing again;
 * - `none`: nothing to do (refunded, never paid), `why` says so.
 */
export type RefundAction = 'new' | 'retry' | 'continue' | 'none';

export interface RefundQuote {
  readonly orderId: number;
  readonly orderNo: string;
  readonly action: RefundAction;
  readonly why: string | null;
  /** What the provider will be asked to refund (always the full amount). */
  readonly refundFen: Fen;
  /** Credits the order granted: what a refund takes back. */
  readonly creditsOwed: number;
  readonly balance: number;
  /** Credits a refund without force takes (0 when it would be refused). */
  readonly creditsTaken: number;
  /** Credits the user already spent beyond the balance: a refund needs `force`, then takes what is left. */
  readonly shortfall: number;
  /** True when a refund is refused without force (balance < credits owed). */
  readonly needsForce: boolean;
  readonly latest: QuotedAttempt | null;
  /** retry_of for a `retry`. */
  readonly retryOf: string | null;
}

export interface QuoteInput {
  readonly order: Pick<Order, 'id' | 'orderNo' | 'status' | 'amountFen' | 'credits'>;
  /** A settlement exists (the order was paid). */
  readonly settled: boolean;
  readonly attempts: readonly QuotedAttempt[];
  readonly balance: number;
}

export function quoteRefund(input: QuoteInput): RefundQuote {
  const { order, balance } = input;
  const latest = input.attempts.at(-1) ?? null;
  const base = {
    orderId: order.id,
    orderNo: order.orderNo,
    refundFen: order.amountFen,
    creditsOwed: order.credits,
    balance,
    latest,
    retryOf: null,
  };
  const none = (why: string): RefundQuote => ({
    ...base,
    action: 'none',
    why,
    creditsTaken: 0,
    shortfall: 0,
    needsForce: false,
  });
  if (!input.settled) return none('订单未支付，不能退款');
  if (latest && latest.state === 'succeeded') return none('已退款');
  if (latest && !gaveUp(latest.state)) {
    const taken = latest.creditsTaken ?? 0;
    return {
      ...base,
      action: 'continue',
      why: '退款处理中：确认将继续这次退款（同一退款单号），不会再扣积分',
      creditsTaken: taken,
      shortfall: latest.creditsTaken === null ? 0 : order.credits - taken,
      needsForce: false,
    };
  }
  if (!latest && order.status === 'refunded') return none('已退款（旧记录）');
  const strict = decideDeduction(balance, order.credits, false);
  const forced = decideDeduction(balance, order.credits, true);
  const shortfall = forced.ok ? forced.value.shortfall : 0;
  return {
    ...base,
    action: latest ? 'retry' : 'new',
    why: latest
      ? `上次退款${latest.state === 'failed' ? '被拒绝' : '已关闭或异常'}，确认将发起新的退款`
      : null,
    creditsTaken: strict.ok ? strict.value.amount : 0,
    shortfall,
    needsForce: !strict.ok,
    retryOf: latest ? latest.outRefundNo : null,
  };
}
