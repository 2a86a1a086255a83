import type { DomainError } from '../errors';
import { makeOrderNo, newOrder, ORDER_NO_ALPHABET, type Order, orderExpiresAt } from '../order';
import type { ClientPayment } from '../payment';
import type { Page } from '../ports';
import { err, ok, type Result } from '../result';
import type { User } from '../user';
import { scheduleCheck } from './checks';
import type { Deps } from './deps';
import { holdForNewOrder, releaseHolds, reusablePendingOrder } from './holds';
import { finishSettlement } from './settle';
import { resolveTrade } from './trade';

/**
 * A new pending order priced from the server's product. Within the user's limits (holds.ts): a payable
 * pending order of the same product is handed out again instead of a second one, and the pending-order
 * slot and the day's amount are taken before the order is stored, so concurrent creates cannot pass them.
 */
export function createOrder(deps: Deps) {
  return async (userId: number, productId: number): Promise<Result<Order, DomainError>> => {
    const product = await deps.products.findById(productId);
    if (!product) return err({ kind: 'product_not_found' });
    if (!product.isActive) return err({ kind: 'product_inactive' });
    const now = deps.clock.now();
    const reused = await reusablePendingOrder(deps, userId, product, now);
    if (reused) return ok(reused);
    const orderNo = makeOrderNo(now, deps.settings.timeZone, deps.random.string(8, ORDER_NO_ALPHABET));
    const expireMinutes = deps.settings.orderExpireMinutes;
    const held = await holdForNewOrder(deps)({ userId, orderNo, amountFen: product.priceFen }, now);
    if (!held.ok) {
      // Refused because concurrent creates of this very product took the slots: hand out theirs.
      const raced = await reusablePendingOrder(deps, userId, product, now);
      return raced ? ok(raced) : held;
    }
    // Queued before the order exists, so no order is ever out of the sweeper's sight (a check of an
    // order that was never stored simply finds nothing).
    const firstCheck = new Date(now.getTime() + (deps.settings.firstCheckAfterMs ?? 60_000));
    await scheduleCheck(deps, orderNo, firstCheck);
    const order = newOrder({ product, userId, orderNo, now, expireMinutes });
    try {
      return ok(await deps.orders.create(order));
    } catch (e) {
      await releaseHolds(deps)({ ...order, id: 0 }, 'cancelled');
      throw e;
    }
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

export { orderExpiresAt } from '../order';

/**
 * What xpay signs besides the order: the user's newest session_key (none stored → the client must
 * log in again) and the product's 道具 id (the order keeps no copy; the price is the order's own).
 */
async function virtualPaymentInputs(
  deps: Deps,
  user: User,
  order: Order,
): Promise<Result<{ sessionKey: string; providerProductId: string }, DomainError>> {
  const sessionKey = await deps.sessionKeys.latest(user.id);
  if (sessionKey === null) return err({ kind: 'session_key_missing' });
  const product = await deps.products.findById(order.productId);
  if (!product?.xpayProductId) return err({ kind: 'product_not_sellable' });
  return ok({ sessionKey, providerProductId: product.xpayProductId });
}

/** Asks the provider for a prepay; the provider reuses it for the same out_trade_no, so no second charge. */
export function payOrder(deps: Deps) {
  return async (user: User, orderId: number): Promise<Result<ClientPayment, DomainError>> => {
    const found = await findOwnOrder(deps)(user.id, orderId);
    if (!found.ok) return found;
    const order = found.value;
    // Paid once and refunded: its credits were taken back, so "already paid" would mislead.
    if (order.status === 'refunded') return err({ kind: 'order_not_payable', status: 'refunded' });
    const settlement = await deps.settlements.find(order.id);
    if (settlement) {
      await finishSettlement(deps)(order, settlement);
      return err({ kind: 'order_already_paid' });
    }
    if (order.status !== 'pending') return err({ kind: 'order_not_payable', status: order.status });
    const expiresAt = orderExpiresAt(order, deps.settings.orderExpireMinutes);
    if (deps.clock.now() >= expiresAt) return err({ kind: 'order_not_payable', status: 'expired' });
    const virtual = deps.settings.virtualPayment ? await virtualPaymentInputs(deps, user, order) : ok({});
    if (!virtual.ok) return virtual;
    const created = await deps.payments.createPayment({
      outTradeNo: order.orderNo,
      description: order.productName,
      amountFen: order.amountFen,
      openid: user.openid,
      notifyUrl: deps.settings.notifyUrl,
      expiresAt,
      ...virtual.value,
    });
    if (created.ok || created.error.kind !== 'provider_rejected') return created;
    // A refusal often means the trade moved on without us (paid with its callback lost, or closed):
    // the provider's word settles it here, instead of sending a paying user to place a new order.
    const trade = await deps.payments.query(order.orderNo);
    if (!trade.ok) return created;
    const outcome = await resolveTrade(deps).resolve(order, trade.value, 'query');
    if (!outcome.ok && outcome.error.kind === 'payment_reused') return err(outcome.error);
    if (outcome.ok && outcome.value === 'paid') return err({ kind: 'order_already_paid' });
    if (outcome.ok && outcome.value === 'cancelled')
      return err({ kind: 'order_not_payable', status: 'cancelled' });
    return created;
  };
}
