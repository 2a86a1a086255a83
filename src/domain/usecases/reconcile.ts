import type { DomainError } from '../errors';
import type { Order } from '../order';
import { err, ok, type Result } from '../result';
import type { Deps } from './deps';
import { orderExpiresAt } from './orders';
import { finishSettlement } from './settle';
import { resolveTrade, type TradeOutcome } from './trade';

export interface SweepReport {
  readonly completed: number;
  readonly cancelled: number;
  readonly stillPending: number;
  readonly unresolved: number;
}

/** Orders looked at per status and run; a stuck order is logged every run, so it cannot hide. */
const BATCH = 500;

/**
 * The reconciliation sweeper (SPEC §2): finishes `paid` orders whose grant a crash interrupted, asks
 * the provider about pending orders older than `queryAfterMs` (lost callbacks), and closes pending
 * orders past their expiry before cancelling them — settling instead if the provider says they were
 * paid after all. Every step is the same idempotent use case the requests run, so any number of
 * instances may sweep at once; one failing order is logged and never stops the others.
 */
export function sweepOrders(deps: Deps, queryAfterMs: number) {
  const finish = finishSettlement(deps);
  const trades = resolveTrade(deps);

  const reconcile = async (order: Order, now: Date): Promise<Result<TradeOutcome, DomainError>> => {
    const settlement = await deps.settlements.find(order.id);
    if (settlement) {
      const finished = await finish(order, settlement);
      return finished.ok ? ok('paid') : finished;
    }
    if (order.status !== 'pending') return ok('open');
    const trade = await deps.payments.query(order.orderNo);
    if (!trade.ok) return err(trade.error);
    const outcome = await trades.resolve(order, trade.value, 'sweeper');
    if (
      outcome.ok &&
      outcome.value === 'open' &&
      now >= orderExpiresAt(order, deps.settings.orderExpireMinutes)
    ) {
      return trades.closeThenCancel(order, 'sweeper');
    }
    return outcome;
  };

  return async (): Promise<SweepReport> => {
    const now = deps.clock.now();
    // One age threshold for both: a younger order may still be in the middle of its own request.
    const before = new Date(now.getTime() - queryAfterMs);
    const tally = { completed: 0, cancelled: 0, stillPending: 0, unresolved: 0 };
    const stale = [
      ...(await deps.orders.listStale('paid', before, BATCH)),
      ...(await deps.orders.listStale('pending', before, BATCH)),
    ];
    for (const order of stale) {
      let outcome: Result<TradeOutcome, DomainError>;
      try {
        outcome = await reconcile(order, now);
      } catch (e) {
        outcome = err({ kind: 'contention', message: e instanceof Error ? e.message : String(e) });
      }
      if (!outcome.ok) {
        tally.unresolved++;
        deps.log('sweeper.order_unresolved', { order_id: order.id, reason: outcome.error.kind });
      } else if (outcome.value === 'paid') tally.completed++;
      else if (outcome.value === 'cancelled') tally.cancelled++;
      else if (outcome.value === 'review') tally.unresolved++;
      else tally.stillPending++;
    }
    if (tally.completed + tally.cancelled + tally.unresolved > 0) deps.log('sweeper.run', { ...tally });
    return tally;
  };
}
