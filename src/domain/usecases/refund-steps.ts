import type { DomainError } from '../errors';
import type { LedgerEntry } from '../ledger';
import type { Order } from '../order';
import type { RefundStatus } from '../payment';
import {
  type GaveUp,
  gaveUp,
  isFinished,
  outcomeOf,
  type RefundAttempt,
  type RefundSource,
  type RefundState,
  refundKey,
  refundState,
  reversalKey,
} from '../refund';
import { err, ok, type Result } from '../result';
import type { Deps } from './deps';
import { appendEntry } from './ledger';
import { projectStatus } from './projection';

/** Everything recorded about one attempt, as the admin and the follower report it. */
export interface RefundView {
  readonly order: Order;
  readonly attempt: RefundAttempt;
  readonly state: RefundState;
  readonly refundId: string | null;
  /** The attempt's deduction (amount ≤ 0); null until one was decided. */
  readonly deduction: LedgerEntry | null;
  /** The entry that gave a failed attempt's credits back; null otherwise. */
  readonly reversal: LedgerEntry | null;
  /** When the outcome was recorded; the order's refund_time for a success. */
  readonly finishedAt: Date | null;
}

/** Credits the deduction took (never -0: a forced refund of spent credits takes nothing). */
export const creditsTaken = (entry: LedgerEntry | null): number => (entry ? Math.abs(entry.amount) : 0);

export async function viewOf(
  deps: Pick<Deps, 'refunds' | 'ledger'>,
  order: Order,
  attempt: RefundAttempt,
): Promise<RefundView> {
  const [events, deduction, reversal] = await Promise.all([
    deps.refunds.events(attempt.outRefundNo),
    deps.ledger.findByKey(refundKey(order.id, attempt.attempt)),
    deps.ledger.findByKey(reversalKey(attempt.outRefundNo)),
  ]);
  const final = events.find((e) => e.stage === 'final');
  const refundId = final?.refundId ?? events.find((e) => e.refundId)?.refundId ?? null;
  const state = refundState(events);
  return { order, attempt, state, refundId, deduction, reversal, finishedAt: final?.at ?? null };
}

/**
 * Records what the provider said, each stage once. The first recorded outcome stands: a later answer
 * that contradicts it (e.g. ABNORMAL handled by hand and then SUCCESS) is logged for a human.
 */
export async function recordStatus(
  deps: Deps,
  attempt: RefundAttempt,
  s: Pick<RefundStatus, 'refundId' | 'status'>,
  source: RefundSource,
): Promise<void> {
  const at = deps.clock.now();
  const base = { outRefundNo: attempt.outRefundNo, refundId: s.refundId, source, at };
  const outcome = outcomeOf(s.status);
  if (!outcome) {
    await deps.refunds.record({ ...base, stage: 'processing' });
    return;
  }
  const { event } = await deps.refunds.record({ ...base, stage: 'final', outcome, detail: s.status });
  if (event.stage === 'final' && event.outcome !== outcome)
    deps.log('refund.outcome_conflict', {
      order_id: attempt.orderId,
      out_refund_no: attempt.outRefundNo,
      recorded: event.outcome,
      reported: outcome,
      source,
    });
}

/** Shown to the user in the ledger: why the credits came back. */
const GAVE_UP_TEXT: Record<GaveUp, string> = {
  closed: '退款已关闭',
  abnormal: '退款异常',
  failed: '退款被拒绝',
};

const EARLIER: Record<RefundState, readonly RefundState[]> = {
  requested: [],
  processing: ['requested'],
  succeeded: ['requested', 'processing'],
  closed: ['requested', 'processing'],
  abnormal: ['requested', 'processing'],
  failed: ['requested', 'processing'],
};

/**
 * Makes a recorded outcome true everywhere, idempotently and without asking the provider: a success
 * projects the order `refunded`; a refund that gave up returns its deduction once (reversal key).
 */
export async function settleRecorded(deps: Deps, view: RefundView): Promise<Result<RefundView, DomainError>> {
  const { order, attempt, state, deduction } = view;
  let settled = view;
  if (state === 'succeeded' && !deduction)
    // Only reachable if an undecided attempt's number reached the provider: money left, no credits did.
    deps.log('refund.succeeded_without_deduction', {
      order_id: order.id,
      out_refund_no: attempt.outRefundNo,
    });
  if (state === 'succeeded' && order.status !== 'refunded') {
    const refundTime = view.finishedAt ?? deps.clock.now();
    await projectStatus(deps, order, { status: 'refunded', refundTime });
    settled = { ...view, order: { ...order, status: 'refunded', refundTime, updatedAt: deps.clock.now() } };
  }
  const taken = creditsTaken(deduction);
  if (gaveUp(state) && taken > 0 && !view.reversal) {
    const back = await appendEntry(deps, {
      userId: order.userId,
      amount: taken,
      type: 'refund',
      description: `${GAVE_UP_TEXT[state]}，返还${taken}积分`,
      relatedOrderId: order.id,
      idempotencyKey: reversalKey(attempt.outRefundNo),
    });
    if (!back.ok) return back;
    if (back.value.created)
      deps.log('refund.credits_returned', { order_id: order.id, out_refund_no: attempt.outRefundNo, state });
    settled = { ...settled, reversal: back.value.entry };
  }
  if (state !== 'requested') await deps.refunds.project(attempt.outRefundNo, EARLIER[state], state);
  return ok(settled);
}

/**
 * Takes the one next step the recorded state allows, never re-deciding a recorded one:
 * requested (credits taken) → ask the provider to refund (idempotent per refund number);
 * processing → query it; an outcome → settle it. A request the provider refuses outright is `failed`.
 * An attempt whose deduction was never decided is left alone: only the admin's call takes credits.
 */
export function advanceRefund(deps: Deps) {
  return async (
    order: Order,
    attempt: RefundAttempt,
    source: RefundSource,
  ): Promise<Result<RefundView, DomainError>> => {
    const view = await viewOf(deps, order, attempt);
    if (isFinished(view.state)) return settleRecorded(deps, view);
    if (view.state === 'requested' && !view.deduction) return ok(view);
    const asked =
      view.state === 'requested'
        ? await deps.payments.refund({
            outTradeNo: order.orderNo,
            outRefundNo: attempt.outRefundNo,
            refundFen: attempt.refundFen,
            totalFen: order.amountFen,
            reason: attempt.reason,
            ...(deps.settings.refundNotifyUrl ? { notifyUrl: deps.settings.refundNotifyUrl } : {}),
          })
        : await deps.payments.queryRefund(attempt.outRefundNo);
    if (asked.ok) await recordStatus(deps, attempt, asked.value, source);
    else if (asked.error.kind === 'provider_rejected' && view.state === 'requested') {
      // Refused outright (never accepted), so no money moves under this number: give the credits back.
      await deps.refunds.record({
        outRefundNo: attempt.outRefundNo,
        stage: 'final',
        outcome: 'failed',
        refundId: null,
        detail: asked.error.message.slice(0, 200),
        source,
        at: deps.clock.now(),
      });
    } else {
      deps.log('refund.provider_error', {
        order_id: order.id,
        out_refund_no: attempt.outRefundNo,
        state: view.state,
        ...asked.error,
      });
      return err({ kind: 'refund_provider_unavailable', message: asked.error.message });
    }
    return settleRecorded(deps, await viewOf(deps, order, attempt));
  };
}
