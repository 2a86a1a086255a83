import type { Check } from '../ports';
import { reviewId } from '../review';
import { budgetedPayments } from './budget';
import { examineOrder, type RefundFollower, type Verdict } from './check-order';
import { FIRST_LOOKBACK_MINUTES, gatherDue, minuteOf, nextCheck, RECENT_MINUTES } from './checks';
import type { Deps } from './deps';
import { recordSweeperDecision } from './journal-sweeper';
import { repairProjection } from './projection';

export type { RefundFollower } from './check-order';

export interface SweepSettings {
  /** Provider calls per minute, all instances together (WeChat rate-limits queries per merchant). */
  readonly callsPerMinute: number;
  /** Checks one instance works on at once. */
  readonly parallelism: number;
  /** Checks one run reads at most; the rest stay queued for the next run. */
  readonly maxChecks: number;
  readonly followRefund?: RefundFollower;
}

export interface SweepReport {
  readonly completed: number;
  readonly cancelled: number;
  readonly stillPending: number;
  readonly unresolved: number;
  readonly deferred: number;
  readonly reviews: number;
}

/** Retries that are no failure: the trade is simply not paid (yet). */
const STILL_OPEN = /^trade (NOTPAY|USERPAYING|NOT_FOUND)$/;
/** Budget tokens and claims are kept this long, then deleted minute by minute. */
const BUDGET_KEEP_MINUTES = 10;

/**
 * The reconciliation sweeper (SPEC §2). Every order is on a queue of checks bucketed by minute
 * (usecases/checks.ts) from the moment it is created; a run reads the due buckets by equality, looks
 * at each order once, and either finishes with it or files its next check with back-off (about 1, 3,
 * 5, 10, 30 minutes, then hourly) or, when that runs out, opens a review for a human. First checks go
 * before retries, so a new order is reached in the next run however many old ones are stuck, and all
 * instances together make at most `callsPerMinute` provider calls. Every step is the same idempotent
 * use case the requests run, so instances may overlap; a failing order never stops the others.
 */
export function sweepOrders(deps: Deps, settings: SweepSettings) {
  let forgottenUpTo: number | undefined;

  const examine = examineOrder(deps.settings.orderExpireMinutes, settings.followRefund);
  const decided = recordSweeperDecision(deps);

  /** One check: look, then remove it — after filing what comes next, so a crash loses nothing. */
  const handle = async (
    check: Check,
    now: Date,
    budget: ReturnType<typeof budgetedPayments>,
  ): Promise<Verdict> => {
    // Another instance read the same bucket and took this check: leave it to that one.
    if (!(await deps.checks.claim(check, minuteOf(now)))) return { kind: 'claimed' };
    const metered = budget.forCheck();
    const runDeps: Deps = { ...deps, payments: metered.payments };
    const order = await deps.orders.findByOrderNo(check.orderNo);
    let verdict: Verdict;
    try {
      if (order) verdict = await examine(order, runDeps, now);
      // The first check is queued just before its order is stored: look once more before giving up
      // on it (an order whose creation failed simply never turns up).
      else if (check.attempt === 0) verdict = { kind: 'retry', reason: 'order not stored yet' };
      else verdict = { kind: 'done', outcome: 'none' };
    } catch (e) {
      verdict = { kind: 'retry', reason: e instanceof Error ? e.message : String(e) };
    }
    if (metered.denied()) return { kind: 'deferred' };
    if (order) await repairProjection(deps, order.id);
    if (verdict.kind === 'retry' && !STILL_OPEN.test(verdict.reason))
      deps.log('sweeper.order_unresolved', {
        order_id: order?.id,
        order_no: check.orderNo,
        reason: verdict.reason,
      });
    let next: ReturnType<typeof nextCheck> | undefined;
    if (verdict.kind === 'retry') {
      next = nextCheck(
        check,
        order && (await deps.orders.findById(order.id)),
        now,
        deps.settings.orderExpireMinutes,
      );
      if (next === 'give_up')
        verdict = { kind: 'review', reason: 'unresolved', detail: `最后一次：${verdict.reason}` };
      else await deps.checks.schedule({ orderNo: check.orderNo, ...next });
    }
    if (verdict.kind === 'review' && order) {
      await deps.reviews.open({
        orderId: order.id,
        orderNo: order.orderNo,
        reason: verdict.reason,
        detail: verdict.detail,
        createdAt: now,
      });
      deps.log('sweeper.review_opened', { order_id: order.id, review: reviewId(order.id, verdict.reason) });
    }
    await decided({
      check,
      status: order?.status ?? null,
      verdict,
      ...(next && next !== 'give_up' ? { next } : {}),
    });
    await deps.checks.complete(check);
    return verdict;
  };

  /** Budget tokens and check claims of past minutes, deleted one minute (one equality) at a time. */
  const forgetOldMinutes = async (nowMinute: number) => {
    const upTo = nowMinute - BUDGET_KEEP_MINUTES;
    for (let m = (forgottenUpTo ?? upTo - FIRST_LOOKBACK_MINUTES) + 1; m <= upTo; m++) {
      await deps.callBudget.forget(m);
      await deps.checks.forgetClaims(m);
    }
    forgottenUpTo = upTo;
  };

  return async (): Promise<SweepReport> => {
    const now = deps.clock.now();
    const nowMinute = minuteOf(now);
    const { checks, firstLeft } = await gatherDue(deps.checks, nowMinute, settings.maxChecks);
    // What just fell due goes first, first checks before retries; then the backlog, oldest first. A
    // new order is so never queued behind old ones that keep failing or a budget-starved backlog.
    const recent = (c: Check) => (c.dueMinute >= nowMinute - RECENT_MINUTES ? 0 : 1);
    checks.sort((a, b) => recent(a) - recent(b) || a.attempt - b.attempt || a.dueMinute - b.dueMinute);
    const budget = budgetedPayments(deps, nowMinute, settings.callsPerMinute);
    const tally = { completed: 0, cancelled: 0, stillPending: 0, unresolved: 0, deferred: 0, reviews: 0 };
    let oldestLeft = firstLeft;
    let next = 0;
    const worker = async () => {
      while (next < checks.length) {
        const check = checks[next++]!;
        let verdict: Verdict;
        try {
          verdict = await handle(check, now, budget);
        } catch (e) {
          // The store itself failed: the check stays queued for the next run.
          deps.log('sweeper.check_failed', {
            order_no: check.orderNo,
            error: e instanceof Error ? e.message : String(e),
          });
          verdict = { kind: 'deferred' };
        }
        if (verdict.kind === 'deferred' || verdict.kind === 'claimed') {
          // Still queued (or in another instance's hands, which may die): the cursor must not pass it.
          if (verdict.kind === 'deferred') tally.deferred++;
          oldestLeft = Math.min(oldestLeft, check.dueMinute);
        } else if (verdict.kind === 'review') tally.reviews++;
        else if (verdict.kind === 'retry') {
          if (STILL_OPEN.test(verdict.reason)) tally.stillPending++;
          else tally.unresolved++;
        } else if (verdict.outcome === 'completed') tally.completed++;
        else if (verdict.outcome === 'cancelled') tally.cancelled++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, settings.parallelism) }, worker));
    await deps.checks.setCursor(Math.min(oldestLeft, nowMinute - RECENT_MINUTES));
    await forgetOldMinutes(nowMinute);
    if (tally.completed + tally.cancelled + tally.unresolved + tally.reviews + tally.deferred > 0)
      deps.log('sweeper.run', { ...tally, checks: checks.length });
    return tally;
  };
}
