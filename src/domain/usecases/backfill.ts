import { scheduleCheck } from './checks';
import type { Deps } from './deps';

/**
 * Orders stored before the sweeper's queue existed have no check on it: queue one for every pending
 * or paid order and every cancelled order with a settlement (paid late, then a crash). Once per
 * database — the first instance to start claims it — and streamed, since it reads by status.
 */
export async function backfillChecks(
  deps: Pick<Deps, 'orders' | 'settlements' | 'checks' | 'clock'>,
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
  return queued;
}
