import type { DomainError } from '../errors';
import type { Fen } from '../money';
import { err, type Result } from '../result';
import type { Deps } from './deps';
import { handlePaymentEvent } from './notification';

/** A verified xpay `xpay_goods_deliver_notify`, in our terms. */
export interface VirtualDelivery {
  readonly outTradeNo: string;
  /** The buyer (`OpenId`; not `FromUserName`, which is WeChat's own account). */
  readonly openid: string;
  /** The 道具 id (`GoodsInfo.ProductId`) and how many (`Quantity`; we always sell 1). */
  readonly productId: string;
  readonly quantity: number;
  /** What the buyer paid (`GoodsInfo.ActualPrice`), in fen. */
  readonly paidFen: Fen;
  readonly transactionId: string | null;
  readonly paidAt: Date | null;
}

/**
 * xpay's delivery push: checked against our order (buyer, item, quantity), then the same
 * settle-and-grant path as every provider's notification (`handlePaymentEvent` → `settleOrder`, which
 * checks the amount and grants once). Any mismatch changes nothing and asks WeChat to retry, so a
 * push that later turns out right — or a query — can still settle the order.
 */
export function handleVirtualDelivery(deps: Deps) {
  return async (d: VirtualDelivery): Promise<Result<void, DomainError>> => {
    const order = await deps.orders.findByOrderNo(d.outTradeNo);
    if (order) {
      const [user, product] = await Promise.all([
        deps.users.findById(order.userId),
        deps.products.findById(order.productId),
      ]);
      const mismatch =
        user?.openid !== d.openid
          ? 'openid'
          : product?.xpayProductId !== d.productId
            ? 'product_id'
            : d.quantity !== 1
              ? 'quantity'
              : null;
      if (mismatch) {
        deps.log('xpay.delivery_mismatch', { order_id: order.id, order_no: order.orderNo, field: mismatch });
        return err({ kind: 'notification_invalid', message: '发货推送与订单不符' });
      }
    }
    return handlePaymentEvent(deps)(
      {
        outTradeNo: d.outTradeNo,
        state: 'SUCCESS',
        transactionId: d.transactionId,
        amountFen: d.paidFen,
        paidAt: d.paidAt,
      },
      'notify',
    );
  };
}
