import { paymentReusedAlert, secondPaymentAlert } from '../alert-kinds';
import type { DomainError } from '../errors';
import { purchaseKey } from '../ledger';
import type { Fen } from '../money';
import type { Order } from '../order';
import { err, ok, type Result } from '../result';
import type { Settlement } from '../settlement';
import { followUntil, MINUTE_MS, scheduleCheck } from './checks';
import type { Deps } from './deps';
import { releaseHolds } from './holds';
import { appendEntry } from './ledger';
import { projectStatus } from './projection';
import { queueShipping } from './shipping';

export interface PaidEvidence {
  readonly paymentId: string | null;
  readonly amountFen: Fen;
  readonly paidAt: Date | null;
  readonly source: Settlement['source'];
}

/**
 * The single "settle and grant" path used by callbacks, status queries and their retries. Each step
 * is idempotent, so a crash between any two of them is finished by the next call:
 *   0. claim the transaction for this order (first order wins, for good),
 *   1. insert the settlement (first writer wins),  2. project `paid`,
 *   3. insert the ledger entry `purchase:<order id>`,  4. project `completed`.
 */
export function settleOrder(deps: Deps) {
  return async (order: Order, evidence: PaidEvidence): Promise<Result<Order, DomainError>> => {
    if (evidence.amountFen !== order.amountFen) {
      deps.log('payment.amount_mismatch', {
        order_id: order.id,
        expected: order.amountFen,
        got: evidence.amountFen,
      });
      return err({ kind: 'notification_invalid', message: '支付金额与订单金额不符' });
    }
    const noteSecondPayment = async (settlement: Settlement) => {
      if (evidence.paymentId !== null && settlement.paymentId !== evidence.paymentId) {
        // The same order paid twice under two transactions: credits stay single, the money needs a human.
        deps.log('payment.second_payment', {
          order_id: order.id,
          settled: settlement.paymentId,
          got: evidence.paymentId,
        });
        await deps.reviews.open({
          orderId: order.id,
          orderNo: order.orderNo,
          reason: 'second_payment',
          detail: `settled ${settlement.paymentId}, also paid ${evidence.paymentId}`,
          createdAt: deps.clock.now(),
        });
        deps.alerts?.raise(secondPaymentAlert(order, settlement, evidence.paymentId));
      }
    };
    // One transaction pays one order: the order holding it, reported (a review) when it is another.
    const holderOf = async (): Promise<number> => {
      if (evidence.paymentId === null) return order.id;
      const holder = await deps.settlements.claimPayment(evidence.paymentId, order.id);
      if (holder !== order.id) await reportReuse(deps, order, evidence.paymentId, holder);
      return holder;
    };
    // `completed` is written only after the grant: a duplicate for it needs one read and no write.
    if (order.status === 'completed' || order.status === 'refunded') {
      const settlement = await deps.settlements.find(order.id);
      if (settlement) {
        if (evidence.paymentId === null || settlement.paymentId === evidence.paymentId) return ok(order);
        const holder = await holderOf();
        if (holder !== order.id) return err({ kind: 'payment_reused', holder });
        await noteSecondPayment(settlement);
        return ok(order);
      }
    }
    const holder = await holderOf();
    if (holder !== order.id) return err({ kind: 'payment_reused', holder });
    const now = deps.clock.now();
    // A pending order is on the sweeper's queue until it is finished; a cancelled one (paid late) or
    // one it has stopped following is not, so queue a check before the settlement: a crash after
    // it is then finished by the sweeper even if no callback or query ever comes again.
    if (order.status !== 'pending' || now >= followUntil(order, deps.settings.orderExpireMinutes))
      await scheduleCheck(deps, order.orderNo, new Date(now.getTime() + MINUTE_MS));
    const { settlement, created } = await deps.settlements.record({
      orderId: order.id,
      paymentId: evidence.paymentId,
      amountFen: evidence.amountFen,
      settledAt: evidence.paidAt ?? now,
      source: evidence.source,
    });
    if (!created) await noteSecondPayment(settlement);
    return finishSettlement(deps)(order, settlement);
  };
}

/**
 * `order` was reported paid by a transaction `holder` claimed first. The order stays as it is (or,
 * `bothSettled`, as it was settled before claims existed): a human decides whose money it is.
 */
export async function reportReuse(
  deps: Deps,
  order: Order,
  paymentId: string,
  holder: number,
  bothSettled = false,
): Promise<void> {
  deps.log('payment.reused', {
    order_id: order.id,
    payment_id: paymentId,
    held_by_order: holder,
    both_settled: bothSettled,
  });
  const holderSettlement = await deps.settlements.find(holder);
  await deps.reviews.open({
    orderId: order.id,
    orderNo: order.orderNo,
    reason: 'payment_reused',
    detail: bothSettled
      ? `transaction ${paymentId} settled both this order and order ${holder}`
      : `transaction ${paymentId} already pays order ${holder}`,
    createdAt: deps.clock.now(),
  });
  const at = holderSettlement?.settledAt ?? deps.clock.now();
  deps.alerts?.raise(paymentReusedAlert(order, paymentId, holder, at, bothSettled));
}

/** Steps 2–4 for an order whose settlement already exists. */
export function finishSettlement(deps: Deps) {
  return async (order: Order, settlement: Settlement): Promise<Result<Order, DomainError>> => {
    const paid = { paymentId: settlement.paymentId, paymentTime: settlement.settledAt };
    if (order.status === 'pending' || order.status === 'cancelled') {
      await projectStatus(deps, order.id, { status: 'paid', ...paid });
    }
    // Before the grant: a crash right after it still leaves the upload queued (brief §2).
    const credited = ['completed', 'refunded'].includes(order.status);
    if (deps.shipping && !credited) await queueShipping(deps, deps.shipping, order.orderNo);
    const granted = await appendEntry(deps, {
      userId: order.userId,
      amount: order.credits,
      type: 'purchase',
      description: `购买${order.credits}积分`,
      relatedOrderId: order.id,
      idempotencyKey: purchaseKey(order.id),
    });
    if (!granted.ok) return granted;
    if (!credited) {
      await projectStatus(deps, order.id, { status: 'completed', ...paid });
      await releaseHolds(deps)(order, 'settled');
      return ok({ ...order, status: 'completed', ...paid, updatedAt: deps.clock.now() });
    }
    return ok(order);
  };
}
