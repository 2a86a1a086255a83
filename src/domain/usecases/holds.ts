import type { DomainError } from '../errors';
import { type Order, orderExpiresAt } from '../order';
import { err, ok, type Result } from '../result';
import { localDay, localParts } from '../time';
import type { Deps } from './deps';
import { resolveTrade } from './trade';

/**
 * What an unfinished order holds while it is pending: one of the user's pending-order slots and its
 * amount in the user's daily spend tally. Both are taken before the order is stored (so concurrent
 * creates cannot pass either limit) and given back when it leaves `pending`.
 */

/** A slot claimed this long ago whose order was never stored belongs to a create that died. */
const ORPHAN_CLAIM_MS = 5 * 60_000;

const spendKey = (orderNo: string) => `order:${orderNo}`;

/** Seconds until the next local midnight, when a new daily tally starts. */
function secondsToNextDay(now: Date, timeZone: string): number {
  const p = localParts(now, timeZone);
  return 86_400 - (Number(p.hour) * 3600 + Number(p.minute) * 60 + Number(p.second));
}

type HoldRequest = { readonly userId: number; readonly orderNo: string; readonly amountFen: number };

/** Takes the holds of a new order, or says which limit refuses it. */
export function holdForNewOrder(deps: Deps) {
  return async (req: HoldRequest, now: Date): Promise<Result<void, DomainError>> => {
    const limits = deps.settings.limits ?? {};
    const slots = limits.pendingOrdersPerUser ?? 0;
    if (slots > 0 && !(await claimSlot(deps, req, slots, now))) {
      return err({
        kind: 'pending_order_limit',
        limit: slots,
        retryAfterSeconds: await secondsToFirstExpiry(deps, req.userId, now),
      });
    }
    const cap = limits.dailySpendCapFen ?? 0;
    if (cap > 0) {
      const day = localDay(now, deps.settings.timeZone);
      if (!(await deps.spendTallies.add(req.userId, day, spendKey(req.orderNo), req.amountFen, cap, now))) {
        if (slots > 0) await deps.pendingSlots.release(req.orderNo, now);
        return err({
          kind: 'daily_spend_limit',
          retryAfterSeconds: secondsToNextDay(now, deps.settings.timeZone),
        });
      }
    }
    return ok(undefined);
  };
}

/**
 * Gives back what the order held once it has left `pending`: the slot always, the day's amount only
 * when it was cancelled (paid money counts). Off limits skip the work; a slot left behind while they
 * were off is found by `releaseLost` if they are turned on again.
 */
export function releaseHolds(deps: Deps) {
  return async (order: Order, outcome: 'settled' | 'cancelled'): Promise<void> => {
    const limits = deps.settings.limits ?? {};
    const now = deps.clock.now();
    if ((limits.pendingOrdersPerUser ?? 0) > 0) await deps.pendingSlots.release(order.orderNo, now);
    if (outcome === 'cancelled' && (limits.dailySpendCapFen ?? 0) > 0) {
      const day = localDay(order.createdAt, deps.settings.timeZone);
      await deps.spendTallies.remove(order.userId, day, spendKey(order.orderNo), now);
    }
  };
}

async function claimSlot(deps: Deps, req: HoldRequest, limit: number, now: Date): Promise<boolean> {
  if (await deps.pendingSlots.claim(req.userId, req.orderNo, limit, now)) return true;
  return (
    (await freeSlots(deps, req.userId, limit, now)) &&
    deps.pendingSlots.claim(req.userId, req.orderNo, limit, now)
  );
}

/**
 * Every slot is held. Two kinds of holder no longer deserve one: an order past its expiry (closed at
 * the provider and cancelled here, as the sweeper would a minute later — or completed, if the close
 * finds it paid), and a slot whose release was lost (a crash between the status write and the
 * release, or a create that died before storing its order). True when any slot came free.
 */
async function freeSlots(deps: Deps, userId: number, limit: number, now: Date): Promise<boolean> {
  const pending = await deps.orders.search({ userId, status: 'pending' }, { skip: 0, limit: limit + 1 });
  let freed = false;
  for (const order of pending) {
    if (now < orderExpiresAt(order, deps.settings.orderExpireMinutes)) continue;
    const closed = await resolveTrade(deps).closeThenCancel(order, 'sweeper');
    if (closed.ok && closed.value !== 'open' && closed.value !== 'review') freed = true;
  }
  if (freed || pending.length >= limit) return freed;
  // Fewer pending orders than held slots: a release was lost. Rare, so reading every slot is fine.
  for (const held of await deps.pendingSlots.held(userId)) {
    const order = await deps.orders.findByOrderNo(held.orderNo);
    const gone = order
      ? order.status !== 'pending'
      : now.getTime() - held.claimedAt.getTime() > ORPHAN_CLAIM_MS;
    if (gone) {
      await deps.pendingSlots.release(held.orderNo, now);
      freed = true;
    }
  }
  return freed;
}

/** When the user's first pending order expires (and its slot can come free): the Retry-After. */
async function secondsToFirstExpiry(deps: Deps, userId: number, now: Date): Promise<number> {
  const pending = await deps.orders.search({ userId, status: 'pending' }, { skip: 0, limit: 100 });
  const first = Math.min(
    ...pending.map((o) => orderExpiresAt(o, deps.settings.orderExpireMinutes).getTime()),
  );
  const seconds = Math.ceil((first - now.getTime()) / 1000);
  return Number.isFinite(seconds) ? Math.max(1, seconds) : 60;
}

/** A payable pending order of the user for the same product on the same terms, if any. */
export async function reusablePendingOrder(
  deps: Deps,
  userId: number,
  product: { readonly id: number; readonly priceFen: number; readonly credits: number },
  now: Date,
): Promise<Order | null> {
  if (!deps.settings.limits?.reusePendingOrders) return null;
  const pending = await deps.orders.search({ userId, status: 'pending' }, { skip: 0, limit: 100 });
  // At least a third of the payment window left, so the user is not handed an order about to expire.
  const minLeftMs = (deps.settings.orderExpireMinutes * 60_000) / 3;
  const same = pending.find(
    (o) =>
      o.productId === product.id &&
      o.amountFen === product.priceFen &&
      o.credits === product.credits &&
      orderExpiresAt(o, deps.settings.orderExpireMinutes).getTime() - now.getTime() >= minLeftMs,
  );
  // Settled already (its status not yet written): a purchase of its own, not one to hand out again.
  if (!same || (await deps.settlements.find(same.id))) return null;
  return same;
}
