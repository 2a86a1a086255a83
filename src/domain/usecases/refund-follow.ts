import type { DomainError } from '../errors';
import type { RefundNotice } from '../payment';
import { gaveUp, type RefundAttempt } from '../refund';
import { err, type Result } from '../result';
import type { Deps } from './deps';
import { advanceRefund, type RefundView, recordStatus, settleRecorded, viewOf } from './refund-steps';

/**
 * Follows the order's latest refund attempt one step: pushes a recorded request to the provider,
 * queries a PROCESSING one and records the answer, settles a recorded outcome. Safe to call any
 * number of times, from anywhere, concurrently. `refund_not_found` when the order has no refund.
 */
export function followRefund(deps: Deps) {
  return async (orderId: number): Promise<Result<RefundView, DomainError>> => {
    const order = await deps.orders.findById(orderId);
    if (!order) return err({ kind: 'order_not_found' });
    const latest = (await deps.refunds.attempts(order.id)).at(-1);
    if (!latest) return err({ kind: 'refund_not_found' });
    return advanceRefund(deps)(order, latest, 'follow');
  };
}

export interface RefundFollowReport {
  readonly succeeded: number;
  /** Ended closed, abnormal or failed: credits given back, an operator may retry. */
  readonly gaveUp: number;
  readonly processing: number;
  /** Claimed but never deducted (the admin's call stopped before): left for the admin. */
  readonly waiting: number;
  readonly unresolved: number;
}

/** Attempts looked at per state and run; oldest first, so a stuck one is retried every run. */
const BATCH = 200;

/**
 * For the reconciliation sweeper: follows every unfinished attempt (projection `requested` or
 * `processing`) created more than `queryAfterMs` ago. One failing attempt is logged and never stops
 * the others; any number of instances may run it at once.
 */
export function followRefunds(deps: Deps, queryAfterMs: number) {
  const advance = advanceRefund(deps);
  const follow = async (attempt: RefundAttempt): Promise<Result<RefundView, DomainError>> => {
    const order = await deps.orders.findById(attempt.orderId);
    if (!order) return err({ kind: 'order_not_found' });
    return advance(order, attempt, 'follow');
  };
  return async (): Promise<RefundFollowReport> => {
    const before = deps.clock.now().getTime() - queryAfterMs;
    const tally = { succeeded: 0, gaveUp: 0, processing: 0, waiting: 0, unresolved: 0 };
    for (const state of ['requested', 'processing'] as const) {
      for (const attempt of await deps.refunds.listByState(state, BATCH)) {
        if (attempt.createdAt.getTime() > before) continue;
        let r: Result<RefundView, DomainError>;
        try {
          r = await follow(attempt);
        } catch (e) {
          r = err({ kind: 'contention', message: e instanceof Error ? e.message : String(e) });
        }
        if (!r.ok) {
          tally.unresolved++;
          deps.log('refund.follow_unresolved', { out_refund_no: attempt.outRefundNo, reason: r.error.kind });
        } else if (r.value.state === 'succeeded') tally.succeeded++;
        else if (gaveUp(r.value.state)) tally.gaveUp++;
        else if (r.value.state === 'processing') tally.processing++;
        else tally.waiting++;
      }
    }
    if (tally.succeeded + tally.gaveUp + tally.unresolved > 0) deps.log('refund.follow_run', { ...tally });
    return tally;
  };
}

/**
 * A verified refund result from the provider (WeChat REFUND.*, the gateway's refund callback): checked
 * against our own attempt, recorded like a query answer, settled. Unknown or mismatching → invalid.
 */
export function handleRefundNotice(deps: Deps) {
  return async (notice: RefundNotice): Promise<Result<RefundView, DomainError>> => {
    const attempt = await deps.refunds.findByOutRefundNo(notice.outRefundNo);
    const order = attempt ? await deps.orders.findById(attempt.orderId) : null;
    if (!attempt || !order) {
      deps.log('refund.unknown_notice', { out_refund_no: notice.outRefundNo, status: notice.status });
      return err({ kind: 'notification_invalid', message: '退款单不存在' });
    }
    if (order.orderNo !== notice.outTradeNo || notice.refundFen !== attempt.refundFen) {
      deps.log('refund.notice_mismatch', {
        out_refund_no: attempt.outRefundNo,
        order_no: order.orderNo,
        got_order_no: notice.outTradeNo,
        refund_fen: attempt.refundFen,
        got_refund_fen: notice.refundFen,
      });
      return err({ kind: 'notification_invalid', message: '退款通知与退款单不符' });
    }
    await recordStatus(deps, attempt, notice, 'notify');
    // No provider call here: the answer must be quick, and a PROCESSING notice is followed later.
    return settleRecorded(deps, await viewOf(deps, order, attempt));
  };
}
