import type { DomainError } from '../errors';
import type { PaymentEvent } from '../payment';
import { err, ok, type Result } from '../result';
import type { Deps } from './deps';
import { settleOrder } from './settle';

/**
 * A verified provider notification (gateway callback or WeChat Pay notify). Unknown orders and wrong
 * amounts are rejected and logged; a duplicate of a settled payment is acknowledged and changes nothing.
 */
export function handlePaymentEvent(deps: Deps) {
  return async (event: PaymentEvent, source: 'callback' | 'notify'): Promise<Result<void, DomainError>> => {
    const order = await deps.orders.findByOrderNo(event.outTradeNo);
    if (!order) {
      deps.log('payment.unknown_order', { order_no: event.outTradeNo, source });
      return err({ kind: 'notification_invalid', message: '订单不存在' });
    }
    if (event.state === 'SUCCESS') {
      const settled = await settleOrder(deps)(order, {
        paymentId: event.transactionId,
        amountFen: event.amountFen,
        paidAt: event.paidAt,
        source,
      });
      // A transaction another order holds is refused (and recorded for a human, settle.ts): a
      // resend changes nothing, and a provider that waits for our word (xpay's delivery) is not
      // told that goods were delivered.
      return settled.ok ? ok(undefined) : settled;
    }
    // A failure report is acknowledged but changes nothing here: cancelling needs the provider to
    // close the trade first, which the payment-status query and the sweeper do.
    deps.log('payment.event_not_settled', { order_id: order.id, state: event.state, source });
    return ok(undefined);
  };
}
