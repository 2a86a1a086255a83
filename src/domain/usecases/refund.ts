import type { DomainError } from '../errors';
import { balanceOf, type LedgerEntry } from '../ledger';
import type { Order } from '../order';
import {
  decideDeduction,
  deductionText,
  gaveUp,
  makeOutRefundNo,
  REFUND_NO_ALPHABET,
  type RefundAttempt,
  refundKey,
  refundState,
} from '../refund';
import { err, ok, type Result } from '../result';
import { MINUTE_MS, scheduleCheck } from './checks';
import type { Deps } from './deps';
import { appendFromBalance } from './ledger';
import { advanceRefund, type RefundView, settleRecorded, viewOf } from './refund-steps';
import { finishSettlement } from './settle';

export interface RefundCommand {
  readonly reason?: string;
  /** Refund even if the user already spent the credits: take back only what is left (never below zero). */
  readonly force?: boolean;
  /** Start a new attempt after this one (the latest) ended closed, abnormal or failed. */
  readonly retryOf?: string;
}

const DEFAULT_REASON = '管理员退款';

/**
 * Admin refund of a completed order (SPEC §2), full amount, as a durable state machine:
 *   1. claim the attempt (unique per order + attempt number; fixes out_refund_no),
 *   2. take the credits back under the attempt's ledger key — that insert IS the balance check, so two
 *      refunds cannot both pass it, and once it exists no retry looks at the balance again,
 *   3. ask the provider, record processing / the outcome, settle it (see refund-steps.ts).
 * A retry or a concurrent duplicate continues from what is recorded and gets the same answer. A new
 * refund number is only minted when the operator names the failed attempt in `retryOf`.
 */
export function refundOrder(deps: Deps) {
  return async (orderId: number, cmd: RefundCommand = {}): Promise<Result<RefundView, DomainError>> => {
    const found = await deps.orders.findById(orderId);
    if (!found) return err({ kind: 'order_not_found' });
    // The settlement, not the status, says the order was paid; finishing it first guarantees the
    // purchase credits exist before we take them back (a crash may have left it `paid`).
    const settlement = await deps.settlements.find(found.id);
    if (!settlement) return err({ kind: 'order_not_refundable', status: found.status });
    const finished = await finishSettlement(deps)(found, settlement);
    if (!finished.ok) return finished;
    const order = finished.value;
    const force = cmd.force === true;
    const refusal = await refundRefusal(deps, order);
    if (refusal) return refusal;

    const chosen = await chooseAttempt(deps, order, cmd, force);
    if (!chosen.ok) return chosen;
    if ('view' in chosen.value) return ok(chosen.value.view);
    const attempt = chosen.value.attempt;
    const deducted = await takeCreditsBack(deps, order, attempt, force);
    if (!deducted.ok) return deducted;
    return advanceRefund(deps)(order, attempt, 'admin');
  };
}

/**
 * A trade the provider will never refund through us is refused before anything is recorded or taken
 * (xpay's iOS orders: Apple decides). Only a first attempt asks: one in flight is simply continued.
 */
async function refundRefusal(deps: Deps, order: Order): Promise<Result<never, DomainError> | null> {
  if (!deps.payments.refundRefusal || (await deps.refunds.attempts(order.id)).length > 0) return null;
  const refusal = await deps.payments.refundRefusal(order.orderNo);
  if (!refusal.ok) return err({ kind: 'provider_unavailable', message: refusal.error.message });
  return refusal.value === null ? null : err({ kind: 'refund_refused', message: refusal.value });
}

type Choice = { readonly attempt: RefundAttempt } | { readonly view: RefundView };

/**
 * The attempt this call works on: the latest one, unless it gave up — then its outcome is the answer,
 * or, when the operator names it in `retryOf`, the next attempt. A new attempt is claimed only after a
 * cheap balance check that records nothing; if that check fails, the attempts are read once more,
 * because a concurrent duplicate may have claimed one and taken the credits in between.
 */
async function chooseAttempt(
  deps: Deps,
  order: Order,
  cmd: RefundCommand,
  force: boolean,
): Promise<Result<Choice, DomainError>> {
  for (let round = 0; ; round++) {
    const attempts = await deps.refunds.attempts(order.id);
    if (cmd.retryOf !== undefined && !attempts.some((a) => a.outRefundNo === cmd.retryOf))
      return err({ kind: 'refund_retry_invalid' });
    const latest = attempts.at(-1);
    if (latest) {
      const state = refundState(await deps.refunds.events(latest.outRefundNo));
      if (!gaveUp(state)) return ok({ attempt: latest });
      // Its credits come back first, so a new attempt's balance check sees them.
      const settled = await settleRecorded(deps, await viewOf(deps, order, latest));
      if (!settled.ok) return settled;
      if (cmd.retryOf !== latest.outRefundNo) return ok({ view: settled.value });
    } else if (order.status === 'refunded') {
      // Refunded before attempts were recorded: there is nothing to continue and nothing to start.
      return err({ kind: 'order_not_refundable', status: order.status });
    }
    if (!force && balanceOf(await deps.ledger.head(order.userId)) < order.credits) {
      const now = await deps.refunds.attempts(order.id);
      if (round === 0 && now.length !== attempts.length) continue;
      return err({ kind: 'refund_insufficient_credits' });
    }
    // The sweeper looks at the order a minute after a refund starts: it follows the refund while it
    // is in flight, and repairs the status if a slow write covers `refunded` after we are gone.
    await scheduleCheck(deps, order.orderNo, new Date(deps.clock.now().getTime() + MINUTE_MS));
    const claimed = await deps.refunds.claim({
      orderId: order.id,
      attempt: attempts.length + 1,
      outRefundNo: makeOutRefundNo(order.orderNo, deps.random.string(8, REFUND_NO_ALPHABET)),
      refundFen: order.amountFen,
      reason: cmd.reason?.trim() || DEFAULT_REASON,
      createdAt: deps.clock.now(),
    });
    return ok({ attempt: claimed.attempt });
  }
}

/**
 * The attempt's deduction, decided once against the exact balance it lands on (decideDeduction):
 * without force all the order's credits or a refusal that writes nothing; with force what is left,
 * possibly zero, with the shortfall in the description. An existing entry is returned as it is.
 */
async function takeCreditsBack(
  deps: Deps,
  order: Order,
  attempt: RefundAttempt,
  force: boolean,
): Promise<Result<LedgerEntry, DomainError>> {
  const idempotencyKey = refundKey(order.id, attempt.attempt);
  const appended = await appendFromBalance(deps, { userId: order.userId, idempotencyKey }, (balance) => {
    const d = decideDeduction(balance, order.credits, force);
    if (!d.ok) return d;
    return ok({
      userId: order.userId,
      amount: 0 - d.value.amount,
      type: 'refund' as const,
      description: deductionText(order.credits, d.value, force),
      relatedOrderId: order.id,
      idempotencyKey,
    });
  });
  if (!appended.ok) return appended;
  const { entry, created } = appended.value;
  if (created && -entry.amount < order.credits)
    deps.log('refund.credits_shortfall', {
      order_id: order.id,
      out_refund_no: attempt.outRefundNo,
      owed: order.credits,
      deducted: Math.abs(entry.amount),
      force,
    });
  return ok(entry);
}
