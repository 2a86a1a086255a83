import { hourOf } from '../figures';
import { scheduleCheck } from './checks';
import type { Deps } from './deps';
import { repairProjection } from './projection';
import { reportReuse } from './settle';

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

/** Set once the claims backfill has gone through every settlement (the scale bench's data sets it too). */
export const PAYMENT_CLAIMS_BACKFILL = 'backfill-payment-claims-v1:done';

/**
 * Settlements stored before payment claims existed have none: claim each one's transaction for its
 * order, so that a later report of it for another order is refused. Two settlements found sharing a
 * transaction open a review on the second. Streamed and safe to repeat, so it runs at every start
 * until one run has finished (a run stopped or failed midway is simply done again; two instances
 * running it at once claim each transaction once); `stop` ends a run early, at shutdown.
 */
export async function backfillPaymentClaims(
  deps: Deps,
  stop: () => boolean = () => false,
): Promise<{ claimed: number; reused: number; finished: boolean }> {
  const tally = { claimed: 0, reused: 0, finished: false };
  if (await deps.checks.wasClaimed(PAYMENT_CLAIMS_BACKFILL)) return { ...tally, finished: true };
  for await (const settlement of deps.settlements.scan()) {
    if (stop()) return tally;
    if (settlement.paymentId === null) continue;
    const mine = {
      paymentId: settlement.paymentId,
      orderId: settlement.orderId,
      claimedAt: settlement.settledAt,
    };
    const holder = await deps.settlements.claimPayment(mine);
    if (holder.orderId === settlement.orderId) {
      tally.claimed++;
      continue;
    }
    tally.reused++;
    const order = await deps.orders.findById(settlement.orderId);
    if (order) await reportReuse(deps, order, holder, 'both_settled');
  }
  await deps.checks.claimOnce(PAYMENT_CLAIMS_BACKFILL);
  return { ...tally, finished: true };
}

/** Margin before the first run began: a change recorded just before may have its projection written after. */
const PROJECTION_MARGIN_MS = 60_000;

/**
 * Enters orders stored by an earlier version into the order store's listing directory
 * (`Orders.backfillHours`). The store rewrites each order it enters, and on a store whose updates
 * write the whole document (FerretDB) a status projection written between its read and its write is
 * lost; so before the store calls the run finished, the status projection of every order whose status
 * changed since the first run began is repaired from the recorded changes (found by hour, an equality
 * read per hour, as the dashboard reads them). A stopped or failed run is repaired by the next.
 */
export async function backfillOrderList(
  deps: Pick<Deps, 'orders' | 'statusChanges' | 'clock'>,
  stop: () => boolean = () => false,
): Promise<{ entered: number; finished: boolean; repaired: number } | null> {
  if (!deps.orders.backfillHours) return null;
  let repaired = 0;
  const repair = async (since: Date): Promise<boolean> => {
    const from = since.getTime() - PROJECTION_MARGIN_MS;
    const moved = new Set<number>();
    for (let hour = hourOf(new Date(from)); hour <= hourOf(deps.clock.now()); hour++) {
      if (stop()) return false;
      for (const change of await deps.statusChanges.inHour(hour))
        if (change.at.getTime() >= from) moved.add(change.orderId);
    }
    for (const orderId of moved) {
      if (stop()) return false;
      await repairProjection(deps, orderId);
      repaired++;
    }
    return true;
  };
  const ran = await deps.orders.backfillHours(stop, { now: deps.clock.now(), repair });
  return { ...ran, repaired };
}
