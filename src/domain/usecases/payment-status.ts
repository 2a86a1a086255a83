import type { DomainError } from '../errors';
import type { Order, OrderStatus } from '../order';
import type { TradeState } from '../payment';
import { err, ok, type Result } from '../result';
import type { Deps } from './deps';
import { findOwnOrder } from './orders';
import { finishSettlement, settleOrder } from './settle';

export interface PaymentStatus {
  readonly orderId: number;
  readonly status: OrderStatus;
  readonly paid: boolean;
  readonly message: string;
}

const PAID_STATES: readonly TradeState[] = ['SUCCESS', 'REFUND'];
const FAILED_STATES: readonly TradeState[] = ['CLOSED', 'REVOKED', 'PAYERROR'];

const MESSAGES: Record<OrderStatus, string> = {
  pending: '待支付',
  paid: '支付成功',
  completed: '支付成功',
  cancelled: '支付失败或已取消',
  refunded: '订单已退款',
};

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
    const settlement = await deps.settlements.find(order.id);
    if (settlement) {
      const finished = await finishSettlement(deps)(order, settlement);
      return finished.ok ? ok(answer(finished.value)) : finished;
    }
    if (order.status !== 'pending') return ok(answer(order));

    const trade = await deps.payments.query(order.orderNo);
    if (!trade.ok) return err(trade.error);
    const { state } = trade.value;
    if (PAID_STATES.includes(state)) {
      const settled = await settleOrder(deps)(order, {
        paymentId: trade.value.transactionId,
        amountFen: trade.value.amountFen ?? -1,
        paidAt: trade.value.paidAt,
        source: 'query',
      });
      return settled.ok ? ok(answer(settled.value)) : settled;
    }
    if (FAILED_STATES.includes(state)) {
      const updatedAt = deps.clock.now();
      await deps.orders.project(order.id, ['pending'], { status: 'cancelled', updatedAt });
      return ok(answer({ id: order.id, status: 'cancelled' }));
    }
    return ok(answer(order, `支付进行中，状态: ${state === 'NOT_FOUND' ? 'NOTPAY' : state}`));
  };
}
