import type { Order } from '../order';
import { projectionOf, STATUS_RANK, type StatusChange, statusesBelow } from '../status';
import type { Deps } from './deps';

type ProjectionDeps = Pick<Deps, 'orders' | 'statusChanges' | 'clock'>;

/** Rounds of repair; each loses only to another writer that will itself check afterwards. */
const REPAIR_ROUNDS = 5;

/**
 * Moves an order's status projection, in three steps that together cannot leave a stale status
 * behind: 1. record the change (insert-only, never overwritten), 2. write the projection, 3. read it
 * back and repair it from the recorded changes. A slower writer whose stale write lands after ours
 * runs its own step 3 after that write; a writer that dies between 2 and 3 is caught by the
 * sweeper, which repairs every order it checks.
 */
export async function projectStatus(
  deps: ProjectionDeps,
  order: Pick<Order, 'id' | 'createdAt'>,
  change: Omit<StatusChange, 'orderId' | 'at'>,
): Promise<void> {
  const at = deps.clock.now();
  await deps.statusChanges.record({ ...change, orderId: order.id, at });
  await deps.orders.project(order.id, statusesBelow(change.status), { ...change, updatedAt: at }, order);
  await repairProjection(deps, order.id);
}

/**
 * Makes the stored status agree with the recorded changes (the highest status reached wins) and
 * returns the order as stored afterwards. Orders from before changes were recorded are left alone.
 */
export async function repairProjection(deps: ProjectionDeps, orderId: number): Promise<Order | null> {
  for (let round = 0; ; round++) {
    const order = await deps.orders.findById(orderId);
    if (!order) return null;
    const wanted = projectionOf(await deps.statusChanges.list(orderId));
    // Only a projection behind the records is stale; one ahead of them was written without a record.
    if (!wanted || STATUS_RANK[order.status] >= STATUS_RANK[wanted.status] || round >= REPAIR_ROUNDS)
      return order;
    await deps.orders.project(orderId, statusesBelow(wanted.status), wanted, order);
  }
}
