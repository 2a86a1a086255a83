import type { DomainError } from '../errors';
import { balanceOf, type LedgerEntry } from '../ledger';
import type { Order } from '../order';
import { makeOutRefundNo, REFUND_NO_ALPHABET, type Refund, refundKey } from '../refund';
import { err, ok, type Result } from '../result';
import type { Deps } from './deps';
import { appendEntry } from './ledger';
import { finishSettlement } from './settle';

export interface RefundCommand {
  readonly reason?: string;
  /** Refund even if the user already spent the credits: deduct only what is left (never below zero). */
  readonly force?: boolean;
}

export interface RefundOutcome {
  readonly order: Order;
  readonly refund: Refund;
  /** The `refund:<order id>` ledger entry; null when nothing was left to deduct. */
  readonly entry: LedgerEntry | null;
}

const DEFAULT_REASON = '管理员退款';
/** Each round of the deduction loop loses only to a concurrent spend, so a few rounds settle it. */
const DEDUCT_ROUNDS = 10;

/**
 * Admin refund of a completed order (SPEC §2), full amount, exactly once. Every step is safe to repeat,
 * so a retry after a crash or a provider outage continues where the last attempt stopped:
 *   1. insert the refund record keyed by the order (fixes out_refund_no; first writer wins),
 *   2. ask the provider (idempotent per out_refund_no),
 *   3. insert the ledger entry `refund:<order id>`,  4. project the order `refunded`.
 * The credit check runs before step 2, so a refused refund never moves money.
 */
export function refundOrder(deps: Deps) {
  return async (orderId: number, cmd: RefundCommand = {}): Promise<Result<RefundOutcome, DomainError>> => {
    const found = await deps.orders.findById(orderId);
    if (!found) return err({ kind: 'order_not_found' });
    // The settlement, not the status, says the order was paid; finishing it first guarantees the
    // purchase credits exist before we take them back (a crash may have left it `paid`).
    const settlement = await deps.settlements.find(found.id);
    if (!settlement) return err({ kind: 'order_not_refundable', status: found.status });
    const finished = await finishSettlement(deps)(found, settlement);
    if (!finished.ok) return finished;
    const order = finished.value;

    const key = refundKey(order.id);
    const existing = await deps.refunds.find(order.id);
    let entry = await deps.ledger.findByKey(key);
    // `refunded` is written only after the provider accepted and the deduction ran: nothing left to do.
    if (existing && order.status === 'refunded') return ok({ order, refund: existing, entry });

    if (!entry && !cmd.force && balanceOf(await deps.ledger.head(order.userId)) < order.credits) {
      return err({ kind: 'refund_insufficient_credits' });
    }
    const refund =
      existing ??
      (
        await deps.refunds.record({
          orderId: order.id,
          outRefundNo: makeOutRefundNo(order.orderNo, deps.random.string(8, REFUND_NO_ALPHABET)),
          refundFen: order.amountFen,
          reason: cmd.reason?.trim() || DEFAULT_REASON,
          createdAt: deps.clock.now(),
        })
      ).refund;

    const paid = await deps.payments.refund({
      outTradeNo: order.orderNo,
      outRefundNo: refund.outRefundNo,
      refundFen: refund.refundFen,
      totalFen: order.amountFen,
      reason: refund.reason,
    });
    if (!paid.ok) return err(paid.error);
    // PROCESSING is accepted: the provider has taken the refund and will finish it on its own.
    if (paid.value.status === 'CLOSED' || paid.value.status === 'ABNORMAL') {
      deps.log('refund.failed', {
        order_id: order.id,
        out_refund_no: refund.outRefundNo,
        status: paid.value.status,
      });
      return err({ kind: 'refund_failed', status: paid.value.status });
    }

    if (!entry) {
      const deducted = await deductCredits(deps, order, Boolean(cmd.force));
      if (!deducted.ok) return deducted;
      entry = deducted.value;
    }
    await deps.orders.project(order.id, ['completed'], {
      status: 'refunded',
      refundTime: refund.createdAt,
      updatedAt: deps.clock.now(),
    });
    return ok({ order: { ...order, status: 'refunded', refundTime: refund.createdAt }, refund, entry });
  };
}

/**
 * Takes back the order's credits under the key `refund:<order id>`. The money is already on its way
 * back, so if the user spent credits between the check and now (or the admin forced), only what is
 * left is deducted — never below zero — and the shortfall is written into the description and logged.
 */
async function deductCredits(
  deps: Deps,
  order: Order,
  force: boolean,
): Promise<Result<LedgerEntry | null, DomainError>> {
  const key = refundKey(order.id);
  for (let round = 0; round < DEDUCT_ROUNDS; round++) {
    const balance = balanceOf(await deps.ledger.head(order.userId));
    const amount = Math.min(balance, order.credits);
    if (amount <= 0) {
      deps.log('refund.credits_shortfall', { order_id: order.id, owed: order.credits, deducted: 0, force });
      return ok(null);
    }
    const short = amount < order.credits;
    const description = short
      ? `订单退款扣回积分：应扣${order.credits}，余额不足实扣${amount}${force ? '（强制退款）' : ''}`
      : `订单退款扣回${order.credits}积分`;
    const appended = await appendEntry(deps, {
      userId: order.userId,
      amount: -amount,
      type: 'refund',
      description,
      relatedOrderId: order.id,
      idempotencyKey: key,
    });
    if (appended.ok) {
      if (short && appended.value.created)
        deps.log('refund.credits_shortfall', {
          order_id: order.id,
          owed: order.credits,
          deducted: amount,
          force,
        });
      return ok(appended.value.entry);
    }
    // Spent again since we read the balance: read it once more.
    if (appended.error.kind !== 'insufficient_credits') return appended;
  }
  return err({ kind: 'contention', message: `refund of order ${order.id} lost every round` });
}
