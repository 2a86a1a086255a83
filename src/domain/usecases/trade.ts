import type { DomainError } from '../errors';
import type { Order } from '../order';
import type { TradeStatus } from '../payment';
import { err, ok, type Result } from '../result';
import type { Settlement } from '../settlement';
import type { Deps } from './deps';
import { releaseHolds } from './holds';
import { projectStatus } from './projection';
import { settleOrder } from './settle';

/** What the provider's word means for a pending order that has no settlement yet. */
export type TradeOutcome = 'paid' | 'cancelled' | 'open' | 'review';

/**
 * The one interpretation of a trade state, shared by the payment-status query and the sweeper:
 * - SUCCESS settles and grants;
 * - CLOSED cancels (the provider will take no more money);
 * - PAYERROR / REVOKED are closed at the provider first and cancelled only if that succeeds —
 *   if the close reveals a payment after all, the order is settled instead;
 * - REFUND with no settlement of ours means the money went back before we ever saw it paid:
 *   granting would give credits for nothing and cancelling would hide it, so a human looks;
 * - anything else is still open. A provider failure is an error and changes nothing.
 */
export function resolveTrade(deps: Deps) {
  const settle = settleOrder(deps);
  const cancel = async (order: Order) => {
    await projectStatus(deps, order, { status: 'cancelled' });
    await releaseHolds(deps)(order, 'cancelled');
    return ok('cancelled' as const);
  };
  const resolve = async (
    order: Order,
    trade: TradeStatus,
    source: Settlement['source'],
    closeAttempted = false,
  ): Promise<Result<TradeOutcome, DomainError>> => {
    switch (trade.state) {
      case 'SUCCESS': {
        const { transactionId, amountFen, paidAt } = trade;
        const settled = await settle(order, {
          paymentId: transactionId,
          amountFen: amountFen ?? -1,
          paidAt,
          source,
        });
        return settled.ok ? ok('paid') : settled;
      }
      case 'CLOSED':
        return cancel(order);
      case 'PAYERROR':
      case 'REVOKED':
        return closeThenCancel(order, source, closeAttempted);
      case 'REFUND':
        deps.log('payment.refunded_before_settlement', { order_id: order.id, order_no: order.orderNo });
        await deps.reviews.open({
          orderId: order.id,
          orderNo: order.orderNo,
          reason: 'refunded_before_settlement',
          detail: `支付方交易状态 ${trade.state}（交易号 ${trade.transactionId ?? '无'}）`,
          createdAt: deps.clock.now(),
        });
        return ok('review');
      default:
        return ok('open');
    }
  };
  /** Closes at the provider, then cancels; a trade found paid during the close is settled. */
  const closeThenCancel = async (
    order: Order,
    source: Settlement['source'],
    closeAttempted = false,
  ): Promise<Result<TradeOutcome, DomainError>> => {
    if (closeAttempted) return ok('open');
    const closed = await deps.payments.close(order.orderNo);
    if (!closed.ok) return err(closed.error);
    if (closed.value === 'closed') return cancel(order);
    const trade = await deps.payments.query(order.orderNo);
    if (!trade.ok) return err(trade.error);
    return resolve(order, trade.value, source, true);
  };
  return { resolve, closeThenCancel };
}
