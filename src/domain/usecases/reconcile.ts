import type { Order } from '../order';
import type { Deps } from './deps';
import { orderExpiresAt } from './orders';
import { finishSettlement, settleOrder } from './settle';

export interface SweepReport {
  readonly completed: number;
  readonly cancelled: number;
  readonly stillPending: number;
  readonly unavailable: number;
}

const BATCH = 100;

/**
 * The reconciliation sweeper (SPEC §2): finishes `paid` orders whose grant a crash interrupted, asks
 * the provider about pending orders older than `queryAfterMs` (lost callbacks), and closes pending
 * orders past their expiry — completing them instead if the provider says they were paid after all.
 * Every step is the same idempotent use case the requests run, so any number of instances may sweep.
 */
export function sweepOrders(deps: Deps, queryAfterMs: number) {
  return async (): Promise<SweepReport> => {
    const now = deps.clock.now();
    const tally = { completed: 0, cancelled: 0, stillPending: 0, unavailable: 0 };
    const settle = settleOrder(deps);
    const finish = finishSettlement(deps);

    // The same age threshold for both: a younger order may still be in the middle of its own request.
    const before = new Date(now.getTime() - queryAfterMs);
    for (const order of await deps.orders.listStale('paid', before, BATCH)) {
      const settlement = await deps.settlements.find(order.id);
      if (settlement && (await finish(order, settlement)).ok) tally.completed++;
    }

    const cancel = async (order: Order) => {
      await deps.orders.project(order.id, ['pending'], { status: 'cancelled', updatedAt: deps.clock.now() });
      tally.cancelled++;
    };
    /** Settles from the provider's word; 'unknown' when the provider cannot answer now. */
    const settleIfPaid = async (order: Order): Promise<'paid' | 'failed' | 'open' | 'unknown'> => {
      const trade = await deps.payments.query(order.orderNo);
      if (!trade.ok) return 'unknown';
      const { state, transactionId, amountFen, paidAt } = trade.value;
      if (state === 'SUCCESS' || state === 'REFUND') {
        const settled = await settle(order, {
          paymentId: transactionId,
          amountFen: amountFen ?? -1,
          paidAt,
          source: 'sweeper',
        });
        return settled.ok ? 'paid' : 'unknown';
      }
      return state === 'CLOSED' || state === 'REVOKED' || state === 'PAYERROR' ? 'failed' : 'open';
    };

    for (const order of await deps.orders.listStale('pending', before, BATCH)) {
      const settlement = await deps.settlements.find(order.id);
      let outcome = settlement
        ? (await finish(order, settlement)).ok
          ? 'paid'
          : 'unknown'
        : await settleIfPaid(order);
      if (outcome === 'open' && now >= orderExpiresAt(order, deps.settings.orderExpireMinutes)) {
        // Close first: only once the provider can no longer take money may the order be cancelled.
        const closed = await deps.payments.close(order.orderNo);
        if (!closed.ok) outcome = 'unknown';
        else outcome = closed.value === 'closed' ? 'failed' : await settleIfPaid(order);
      }
      if (outcome === 'paid') tally.completed++;
      else if (outcome === 'failed') await cancel(order);
      else if (outcome === 'open') tally.stillPending++;
      else tally.unavailable++;
    }
    if (tally.completed + tally.cancelled + tally.unavailable > 0) deps.log('sweeper.run', { ...tally });
    return tally;
  };
}
