import { paymentReusedAlert, type ReuseSituation, secondPaymentAlert } from '../alert-kinds';
import type { DomainError } from '../errors';
import { purchaseKey } from '../ledger';
import type { Fen } from '../money';
import type { Order } from '../order';
import { err, ok, type Result } from '../result';
import type { PaymentClaim, Settlement } from '../settlement';
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
          detail: `已按交易 ${settlement.paymentId} 结算，又收到交易 ${evidence.paymentId} 的支付`,
          createdAt: deps.clock.now(),
        });
        deps.alerts?.raise(secondPaymentAlert(order, settlement, evidence.paymentId));
      }
    };
    // One transaction pays one order: null when this order holds it, else the other order's claim.
    const takenBy = async (): Promise<PaymentClaim | null> => {
      if (evidence.paymentId === null) return null;
      const mine = { paymentId: evidence.paymentId, orderId: order.id, claimedAt: deps.clock.now() };
      const holder = await deps.settlements.claimPayment(mine);
      return holder.orderId === order.id ? null : holder;
    };
    // `completed` is written only after the grant: a duplicate for it needs one read and no write.
    if (order.status === 'completed' || order.status === 'refunded') {
      const settlement = await deps.settlements.find(order.id);
      if (settlement) {
        if (evidence.paymentId === null || settlement.paymentId === evidence.paymentId) return ok(order);
        const taken = await takenBy();
        if (taken) await reportReuse(deps, order, taken, 'own_settlement');
        else await noteSecondPayment(settlement);
        return ok(order);
      }
    }
    const taken = await takenBy();
    if (taken) {
      // Settled already by a transaction of its own (a crash before the grant): that is finished.
      const own = await deps.settlements.find(order.id);
      await reportReuse(deps, order, taken, own ? 'own_settlement' : 'refused');
      return own
        ? finishSettlement(deps)(order, own)
        : err({ kind: 'payment_reused', holder: taken.orderId });
    }
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
 * `order` was reported paid by a transaction another order claimed first. What that order is left
 * with (`situation`) is what the alert tells the operator; a human decides whose money it is.
 */
export async function reportReuse(
  deps: Deps,
  order: Order,
  holder: PaymentClaim,
  situation: ReuseSituation,
): Promise<void> {
  deps.log('payment.reused', {
    order_id: order.id,
    payment_id: holder.paymentId,
    held_by_order: holder.orderId,
    situation,
  });
  await deps.reviews.open({
    orderId: order.id,
    orderNo: order.orderNo,
    reason: 'payment_reused',
    detail: REUSE_DETAIL[situation](holder),
    createdAt: deps.clock.now(),
  });
  deps.alerts?.raise(paymentReusedAlert(order, holder, situation));
}

const REUSE_DETAIL: Readonly<Record<ReuseSituation, (holder: PaymentClaim) => string>> = {
  refused: (h) => `交易 ${h.paymentId} 已属于订单 ${h.orderId}，本订单未结算`,
  own_settlement: (h) =>
    `交易 ${h.paymentId} 属于订单 ${h.orderId}，却被报告为本订单的支付；本订单已由自己的交易结算`,
  both_settled: (h) => `交易 ${h.paymentId} 同时结算了本订单和订单 ${h.orderId}`,
};

/** Steps 2–4 for an order whose settlement already exists. */
export function finishSettlement(deps: Deps) {
  return async (order: Order, settlement: Settlement): Promise<Result<Order, DomainError>> => {
    const paid = { paymentId: settlement.paymentId, paymentTime: settlement.settledAt };
    if (order.status === 'pending' || order.status === 'cancelled') {
      await projectStatus(deps, order, { status: 'paid', ...paid });
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
      await projectStatus(deps, order, { status: 'completed', ...paid });
      await releaseHolds(deps)(order, 'settled');
      return ok({ ...order, status: 'completed', ...paid, updatedAt: deps.clock.now() });
    }
    return ok(order);
  };
}
