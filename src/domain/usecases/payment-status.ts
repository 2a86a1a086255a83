import type { DomainError } from '../errors';
import type { Order, OrderStatus } from '../order';
import type { TradeState } from '../payment';
import { err, ok, type Result } from '../result';
import type { Deps } from './deps';
import { findOwnOrder } from './orders';
import { finishSettlement } from './settle';
import { resolveTrade } from './trade';

export interface PaymentStatus {
  readonly orderId: number;
  readonly status: OrderStatus;
  readonly paid: boolean;
  readonly message: string;
  /** What the provider said when it was asked just now (the console tells an operator NOT_FOUND apart). */
  readonly providerState?: TradeState;
}

const MESSAGES: Record<OrderStatus, string> = {
  pending: '待支付',
  paid: '支付成功',
  completed: '支付成功',
  cancelled: '支付失败或已取消',
  refunded: '订单已退款',
};

/** A pending order whose provider state was asked for moments ago: poll again a little later. */
export const THROTTLED = '支付进行中，请稍后再查询';

const answer = (order: Pick<Order, 'id' | 'status'>, message = MESSAGES[order.status]): PaymentStatus => ({
  orderId: order.id,
  status: order.status,
  paid: order.status === 'paid' || order.status === 'completed',
  message,
});

/**
 * The seed's payment-status query. A settled order is answered (and, after a crash, finished) from
 * the database alone; only a pending one asks the provider, and a provider failure changes nothing.
 */
export function queryPaymentStatus(deps: Deps) {
  return async (userId: number, orderId: number): Promise<Result<PaymentStatus, DomainError>> => {
    const found = await findOwnOrder(deps)(userId, orderId);
    if (!found.ok) return found;
    const order = found.value;
    // `completed` is only ever written after the grant, so it needs no further reads.
    if (order.status === 'completed' || order.status === 'refunded') return ok(answer(order));
    const settlement = await deps.settlements.find(order.id);
    if (settlement) {
      const finished = await finishSettlement(deps)(order, settlement);
      return finished.ok ? ok(answer(finished.value)) : finished;
    }
    if (order.status !== 'pending') return ok(answer(order));

    // The provider limits how often we may ask; a client polling faster is answered from the database
    // (the callback settles the order in the meantime), shared by every instance.
    const every = deps.settings.limits?.statusQuerySeconds ?? 0;
    const askedRecently =
      every > 0 && !(await deps.rateWindows.take(`status-query:${order.id}`, 1, every, deps.clock.now()));
    if (askedRecently) return ok(answer(order, THROTTLED));

    const trade = await deps.payments.query(order.orderNo);
    if (!trade.ok) return err(trade.error);
    const outcome = await resolveTrade(deps).resolve(order, trade.value, 'query');
    if (!outcome.ok) return outcome;
    switch (outcome.value) {
      case 'paid':
        return ok(answer({ id: order.id, status: 'completed' }));
      case 'cancelled':
        return ok(answer({ id: order.id, status: 'cancelled' }));
      case 'review':
        return ok(answer(order, '支付状态异常（已退款），请联系客服'));
      default: {
        // The mini-program is told NOTPAY either way: to a user who has not paid they are the same.
        const state = trade.value.state === 'NOT_FOUND' ? 'NOTPAY' : trade.value.state;
        return ok({ ...answer(order, `支付进行中，状态: ${state}`), providerState: trade.value.state });
      }
    }
  };
}
