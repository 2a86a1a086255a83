import { scheduleCheck } from './checks';
import type { Deps } from './deps';

/** Refund attempts in flight at most this many per state are queued (they are few at any time). */
const IN_FLIGHT_REFUNDS = 100_000;

/**
 * Orders stored before the sweeper's queue existed have no check on it: queue one for every pending
 * or paid order, every cancelled order with a settlement (paid late, then a crash) and every order
 * with a refund in flight. Once per database — the first instance to start claims it — and
 * streamed where it reads orders by status.
 */
export async function backfillChecks(
  deps: Pick<Deps, 'orders' | 'settlements' | 'refunds' | 'checks' | 'clock'>,
): Promise<number> {
  if (!(await deps.checks.claimOnce('backfill-checks-v1'))) return 0;
  const now = deps.clock.now();
  let queued = 0;
  for (const status of ['pending', 'paid'] as const)
    for await (const order of deps.orders.scan({ status })) {
      await scheduleCheck(deps, order.orderNo, now);
      queued++;
    }
  for await (const order of deps.orders.scan({ status: 'cancelled' }))
    if (await deps.settlements.find(order.id)) {
      await scheduleCheck(deps, order.orderNo, now);
      queued++;
    }
  for (const state of ['requested', 'processing'] as const)
    for (const attempt of await deps.refunds.listByState(state, IN_FLIGHT_REFUNDS)) {
      const order = await deps.orders.findById(attempt.orderId);
      if (order) await scheduleCheck(deps, order.orderNo, now);
      queued++;
    }
  return queued;
}
