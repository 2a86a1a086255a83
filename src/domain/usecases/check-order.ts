import type { DomainError } from '../errors';
import { type Order, orderExpiresAt } from '../order';
import { ok, type Result } from '../result';
import type { ReviewReason } from '../review';
import type { Deps } from './deps';
import { followRefund } from './refund-follow';
import { finishSettlement } from './settle';
import { resolveTrade } from './trade';

/**
 * Refunds in flight: the sweeper calls this (with the run's budgeted provider) for every order it
 * checks that has a refund attempt, and looks again later while it answers `pending`. Wired in
 * app/jobs.ts as `followRefundInFlight`.
 */
export type RefundFollower = (deps: Deps, order: Order) => Promise<Result<'done' | 'pending', DomainError>>;

/**
 * The refund lifecycle's follow-up (refund-follow.ts) as the sweeper's RefundFollower: one step for
 * the latest attempt; still `pending` while the provider has it (processing), or while it is
 * recorded with its credits taken but the provider's answer is not (the request may not have reached
 * it). An attempt never deducted is the admin's to continue, as in `followRefunds`.
 */
export const followRefundInFlight: RefundFollower = async (deps, order) => {
  const followed = await followRefund(deps)(order.id);
  if (!followed.ok) return followed.error.kind === 'refund_not_found' ? ok('done') : followed;
  const { state, deduction } = followed.value;
  return ok(state === 'processing' || (state === 'requested' && deduction !== null) ? 'pending' : 'done');
};

/** What one look at an order concluded, and so what the sweeper does with its check. */
export type Verdict =
  | { readonly kind: 'done'; readonly outcome: 'completed' | 'cancelled' | 'none' }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'review'; readonly reason: ReviewReason; readonly detail: string }
  | { readonly kind: 'deferred' }
  | { readonly kind: 'claimed' };

/**
 * One look at one order, by the same idempotent use cases the requests run: a settlement is finished
 * (paid, paid late after a cancel, or a crash before the grant), a refund in flight is followed, a
 * pending order is asked about at the provider — and closed, then cancelled, once it has expired.
 * `runDeps.payments` is the budgeted provider of the sweeper's run.
 */
export function examineOrder(expireMinutes: number, followRefund?: RefundFollower) {
  return async function examine(order: Order, runDeps: Deps, now: Date): Promise<Verdict> {
    const settlement = await runDeps.settlements.find(order.id);
    if (settlement) {
      // Paid, or cancelled and then paid late, or a crash between settlement and grant: finish it.
      const finished = await finishSettlement(runDeps)(order, settlement);
      if (!finished.ok) return { kind: 'retry', reason: finished.error.kind };
      const followed = await followUp(finished.value, runDeps);
      if (followed) return followed;
      const confirmed =
        finished.value.status === 'completed' ? await confirmDelivery(order.orderNo, runDeps) : undefined;
      if (confirmed) return confirmed;
      return { kind: 'done', outcome: order.status === 'completed' ? 'none' : 'completed' };
    }
    if (order.status === 'cancelled') return { kind: 'done', outcome: 'none' };
    if (order.status !== 'pending')
      return {
        kind: 'review',
        reason: 'status_without_settlement',
        detail: `状态为 ${order.status}，但没有结算记录`,
      };
    const trades = resolveTrade(runDeps);
    const trade = await runDeps.payments.query(order.orderNo);
    if (!trade.ok) return { kind: 'retry', reason: trade.error.kind };
    let outcome = await trades.resolve(order, trade.value, 'sweeper');
    if (outcome.ok && outcome.value === 'open' && now >= orderExpiresAt(order, expireMinutes))
      outcome = await trades.closeThenCancel(order, 'sweeper');
    if (!outcome.ok && outcome.error.kind === 'payment_reused')
      return {
        kind: 'review',
        reason: 'payment_reused',
        detail: `支付方报告的交易已属于订单 ${outcome.error.holder}`,
      };
    if (!outcome.ok) return { kind: 'retry', reason: outcome.error.kind };
    switch (outcome.value) {
      case 'paid':
        return (await confirmDelivery(order.orderNo, runDeps)) ?? { kind: 'done', outcome: 'completed' };
      case 'cancelled':
        return { kind: 'done', outcome: 'cancelled' };
      case 'review':
        return {
          kind: 'review',
          reason: 'refunded_before_settlement',
          detail: `支付方交易状态 ${trade.value.state}`,
        };
      default:
        return { kind: 'retry', reason: `trade ${trade.value.state}` };
    }
  };

  /**
   * A provider that tracks delivery (xpay) learns that we granted: when its push was lost and the
   * order was healed by a query, WeChat still shows it undelivered until we tell it. Retried by the
   * sweeper's back-off until the provider confirms.
   */
  async function confirmDelivery(orderNo: string, runDeps: Deps): Promise<Verdict | undefined> {
    if (!runDeps.payments.confirmDelivery) return undefined;
    const confirmed = await runDeps.payments.confirmDelivery(orderNo);
    return confirmed.ok ? undefined : { kind: 'retry', reason: `confirm delivery: ${confirmed.error.kind}` };
  }

  async function followUp(order: Order, runDeps: Deps): Promise<Verdict | undefined> {
    if (!followRefund || order.status === 'refunded') return undefined;
    if ((await runDeps.refunds.attempts(order.id)).length === 0) return undefined;
    const followed = await followRefund(runDeps, order);
    if (!followed.ok) return { kind: 'retry', reason: followed.error.kind };
    return followed.value === 'pending' ? { kind: 'retry', reason: 'refund pending' } : undefined;
  }
}
