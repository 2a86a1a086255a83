import { describe, expect, it } from 'bun:test';
import { seedDemoProducts } from '../../src/domain/usecases/catalog';
import type { Deps, OrderLimits } from '../../src/domain/usecases/deps';
import { createOrder } from '../../src/domain/usecases/orders';
import { settleOrder } from '../../src/domain/usecases/settle';
import { resolveTrade } from '../../src/domain/usecases/trade';
import { domainDeps } from '../support/domain-deps';

async function setup(limits: OrderLimits) {
  const made = domainDeps();
  const deps: Deps = { ...made.deps, settings: { ...made.deps.settings, limits } };
  await seedDemoProducts(deps)();
  const create = (userId = 1, productId = 1) => createOrder(deps)(userId, productId);
  const order = async (userId = 1, productId = 1) => {
    const created = await create(userId, productId);
    if (!created.ok) throw new Error(`create: ${created.error.kind}`);
    return created.value;
  };
  return { ...made, deps, create, order };
}

const MIN = 60_000;

describe('pending-order cap', () => {
  it('lets exactly the cap of 50 concurrent creates through', async () => {
    const { deps, create } = await setup({ pendingOrdersPerUser: 3 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => create(1, 1 + (i % 2))));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    const refused = results.find((r) => !r.ok);
    expect(refused && !refused.ok && refused.error).toEqual({
      kind: 'pending_order_limit',
      limit: 3,
      retryAfterSeconds: 30 * 60,
    });
    expect(await deps.orders.search({ userId: 1, status: 'pending' }, { skip: 0, limit: 100 })).toHaveLength(
      3,
    );
    expect((await create(2)).ok).toBe(true);
  });

  it('gives the slot back once when an order is cancelled or settled', async () => {
    const { deps, create, order } = await setup({ pendingOrdersPerUser: 2 });
    const a = await order();
    const b = await order(1, 2);
    expect((await create()).ok).toBe(false);
    await resolveTrade(deps).closeThenCancel(a, 'sweeper');
    const evidence = {
      paymentId: '4200b',
      amountFen: b.amountFen,
      paidAt: null,
      source: 'callback' as const,
    };
    await settleOrder(deps)(b, evidence);
    await settleOrder(deps)(b, evidence);
    expect((await deps.pendingSlots.held(1)).map((h) => h.orderNo)).toEqual([]);
    expect((await create()).ok).toBe(true);
    expect((await create(1, 2)).ok).toBe(true);
    expect((await create()).ok).toBe(false);
  });

  it('closes and cancels an expired pending order to make room, or completes it if it was paid', async () => {
    const { deps, clock, create, order, provider } = await setup({ pendingOrdersPerUser: 2 });
    const unpaid = await order();
    const paid = await order(1, 2);
    provider.pay(paid.orderNo, paid.amountFen);
    clock.advance(31 * MIN);
    expect((await create()).ok).toBe(true);
    expect(provider.calls).toContain(`close:${unpaid.orderNo}`);
    expect((await deps.orders.findById(unpaid.id))?.status).toBe('cancelled');
    expect((await deps.orders.findById(paid.id))?.status).toBe('completed');
    expect((await deps.ledger.head(1))?.balanceAfter).toBe(500);
    expect((await create(1, 2)).ok).toBe(true);
  });

  it('repairs a slot whose release was lost, and one whose create died before storing the order', async () => {
    const { deps, clock, create, order } = await setup({ pendingOrdersPerUser: 2 });
    const lost = await order();
    // Completed, but the release never happened (a crash between the status write and the release).
    await deps.orders.project(lost.id, ['pending'], { status: 'completed', updatedAt: clock.now() });
    await deps.pendingSlots.claim(1, 'P-died-before-its-order', 2, clock.now());
    expect((await create(1, 2)).ok).toBe(true);
    expect((await create()).ok).toBe(false); // the orphan is young: its create may still be running
    clock.advance(6 * MIN);
    expect((await create()).ok).toBe(true);
  });
});

describe('reusing a pending order', () => {
  it('hands out the payable pending order of the same product on the same terms', async () => {
    const { deps, clock, order } = await setup({ reusePendingOrders: true });
    const first = await order();
    expect((await order()).id).toBe(first.id);
    expect((await order(1, 2)).id).not.toBe(first.id);
    expect((await order(2)).id).not.toBe(first.id);
    clock.advance(21 * MIN); // less than a third of its 30 minutes left
    const fresh = await order();
    expect(fresh.id).not.toBe(first.id);
    await deps.products.update(1, { priceFen: 880 }, clock.now());
    const repriced = await order();
    expect([repriced.id, repriced.amountFen]).not.toEqual([fresh.id, 990]);
    expect(repriced.amountFen).toBe(880);
  });

  it('never hands out an order that is settled already', async () => {
    const { deps, order } = await setup({ reusePendingOrders: true });
    const first = await order();
    await deps.settlements.record({
      orderId: first.id,
      paymentId: '4200x',
      amountFen: 990,
      settledAt: new Date(),
      source: 'callback',
    });
    expect((await order()).id).not.toBe(first.id);
  });

  it('answers concurrent creates of one product with at most the cap of orders', async () => {
    const { create } = await setup({ reusePendingOrders: true, pendingOrdersPerUser: 2 });
    const results = await Promise.all(Array.from({ length: 30 }, () => create()));
    const ids = new Set(results.flatMap((r) => (r.ok ? [r.value.id] : [])));
    expect(ids.size).toBeGreaterThanOrEqual(1);
    expect(ids.size).toBeLessThanOrEqual(2);
  });
});

describe('daily purchase cap', () => {
  it('refuses the order that would pass the day’s amount until midnight, and a cancellation gives back', async () => {
    const { deps, create, order, clock } = await setup({ dailySpendCapFen: 2000 });
    const a = await order();
    await order();
    const refused = await create();
    // The fixed clock reads 12:00 in Asia/Shanghai: twelve hours to the next day.
    expect(!refused.ok && refused.error).toEqual({ kind: 'daily_spend_limit', retryAfterSeconds: 12 * 3600 });
    await resolveTrade(deps).closeThenCancel(a, 'sweeper');
    expect((await create()).ok).toBe(true);
    expect((await create()).ok).toBe(false);
    clock.advance(12 * 3600_000);
    expect((await create()).ok).toBe(true);
  });

  it('lets exactly cap / price of 30 concurrent creates through', async () => {
    const { create } = await setup({ dailySpendCapFen: 990 * 4 });
    const results = await Promise.all(Array.from({ length: 30 }, () => create()));
    expect(results.filter((r) => r.ok)).toHaveLength(4);
  });

  it('takes no slot when the day’s amount refuses the order', async () => {
    const { deps, create } = await setup({ dailySpendCapFen: 1000, pendingOrdersPerUser: 5 });
    expect((await create()).ok).toBe(true);
    expect((await create()).ok).toBe(false);
    expect(await deps.pendingSlots.held(1)).toHaveLength(1);
  });
});
