import type { DomainError } from '../errors';
import { makeOrderNo, newOrder, ORDER_NO_ALPHABET, type Order } from '../order';
import type { PaymentParams } from '../payment';
import type { Page } from '../ports';
import { err, ok, type Result } from '../result';
import type { User } from '../user';
import type { Deps } from './deps';
import { finishSettlement } from './settle';

export function createOrder(deps: Deps) {
  return async (userId: number, productId: number): Promise<Result<Order, DomainError>> => {
    const product = await deps.products.findById(productId);
    if (!product) return err({ kind: 'product_not_found' });
    if (!product.isActive) return err({ kind: 'product_inactive' });
    const now = deps.clock.now();
    const orderNo = makeOrderNo(now, deps.settings.timeZone, deps.random.string(8, ORDER_NO_ALPHABET));
    return ok(await deps.orders.create(newOrder({ product, userId, orderNo, now })));
  };
}

/** The caller's own order; someone else's is reported as missing so ids reveal nothing. */
export function findOwnOrder(deps: Pick<Deps, 'orders'>) {
  return async (userId: number, orderId: number): Promise<Result<Order, DomainError>> => {
    const order = await deps.orders.findById(orderId);
    if (!order || order.userId !== userId) return err({ kind: 'order_not_found' });
    return ok(order);
  };
}

export function listOrders(deps: Pick<Deps, 'orders'>) {
  return (userId: number, page: Page): Promise<Order[]> => deps.orders.listByUser(userId, page);
}

export const orderExpiresAt = (order: Order, expireMinutes: number): Date =>
  new Date(order.createdAt.getTime() + expireMinutes * 60_000);

/** Asks the provider for a prepay; the provider reuses it for the same out_trade_no, so no second charge. */
export function payOrder(deps: Deps) {
  return async (user: User, orderId: number): Promise<Result<PaymentParams, DomainError>> => {
    const found = await findOwnOrder(deps)(user.id, orderId);
    if (!found.ok) return found;
    const order = found.value;
    const settlement = await deps.settlements.find(order.id);
    if (settlement) {
      await finishSettlement(deps)(order, settlement);
      return err({ kind: 'order_not_payable', status: 'completed' });
    }
    if (order.status !== 'pending') return err({ kind: 'order_not_payable', status: order.status });
    const expiresAt = orderExpiresAt(order, deps.settings.orderExpireMinutes);
    if (deps.clock.now() >= expiresAt) return err({ kind: 'order_not_payable', status: 'expired' });
    const created = await deps.payments.createPayment({
      outTradeNo: order.orderNo,
      description: order.productName,
      amountFen: order.amountFen,
      openid: user.openid,
      notifyUrl: deps.settings.notifyUrl,
      expiresAt,
    });
    return created;
  };
}
