import { describe, expect, it } from 'bun:test';
import { FixedClock } from '../../src/adapters/system/clock';
import type { Order, OrderStatus } from '../../src/domain/order';
import type { Settlements } from '../../src/domain/ports';
import { ok } from '../../src/domain/result';
import { seedDemoProducts } from '../../src/domain/usecases/catalog';
import { followRefundInFlight } from '../../src/domain/usecases/check-order';
import { minuteOf } from '../../src/domain/usecases/checks';
import type { Deps } from '../../src/domain/usecases/deps';
import { createOrder } from '../../src/domain/usecases/orders';
import { type SweepSettings, sweepOrders } from '../../src/domain/usecases/reconcile';
import { refundOrder } from '../../src/domain/usecases/refund';
import { settleOrder } from '../../src/domain/usecases/settle';
import { T0 } from '../support/builders';
import { domainDeps } from '../support/domain-deps';

const MINUTE = 60_000;
const EVERY: OrderStatus[] = ['pending', 'cancelled', 'paid', 'completed', 'refunded'];

async function setup(settings: Partial<SweepSettings> = {}) {
  const t = domainDeps({ clock: new FixedClock(T0) });
  await seedDemoProducts(t.deps)();
  const sweeper = (deps: Deps = t.deps) =>
    sweepOrders(deps, { callsPerMinute: 1000, parallelism: 4, maxChecks: 2000, ...settings });
  const place = async (userId = 1): Promise<Order> => {
    const created = await createOrder(t.deps)(userId, 1);
    if (!created.ok) throw new Error(created.error.kind);
    return created.value;
  };
  const statusOf = async (o: Order) => (await t.deps.orders.findById(o.id))?.status;
  const queries = (o: Order) => t.provider.calls.filter((c) => c === `query:${o.orderNo}`).length;
  return { ...t, sweep: sweeper(), sweeper, place, statusOf, queries };
}

describe('the sweeper reaches every order', () => {
  it('completes a new paid order in the next run, though 500 older ones keep failing and the budget is small', async () => {
    const t = await setup({ callsPerMinute: 50 });
    const stuck = [];
    for (let i = 0; i < 500; i++) stuck.push(await t.place());
    for (const o of stuck) t.provider.fail(o.orderNo);
    for (let i = 0; i < 4; i++) {
      t.clock.advance(MINUTE);
      await t.sweep();
    }
    const fresh = await t.place(2);
    t.provider.pay(fresh.orderNo); // paid at WeChat, callback lost
    const before = t.provider.calls.length;
    t.clock.advance(MINUTE);
    await t.sweep();
    expect(await t.statusOf(fresh)).toBe('completed');
    expect((await t.deps.ledger.head(2))?.balanceAfter).toBe(100);
    expect(t.provider.calls.length - before).toBeLessThanOrEqual(50);
  });

  it('queries a pending order on its back-off schedule, not on every run of every instance, within one shared budget', async () => {
    const t = await setup({ callsPerMinute: 15 });
    const orders = [];
    for (let i = 0; i < 20; i++) orders.push(await t.place());
    const [a, b] = [t.sweeper(), t.sweeper()];
    const perMinute: number[] = [];
    for (let minute = 1; minute <= 12; minute++) {
      t.clock.advance(MINUTE);
      const before = t.provider.calls.length;
      await Promise.all([a(), b()]);
      perMinute.push(t.provider.calls.length - before);
    }
    expect(Math.max(...perMinute)).toBeLessThanOrEqual(15);
    // Checks at about 1, 3, 5 and 10 minutes: never more than 4 in 12 minutes, however many instances.
    for (const o of orders) expect(t.queries(o)).toBeLessThanOrEqual(4);
    for (const o of orders) expect(t.queries(o)).toBeGreaterThanOrEqual(3);
    expect(perMinute.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(20 * 4);
  });

  it('looks again at a first check that ran before its order was stored', async () => {
    const t = await setup();
    const o = await t.place();
    // As if the sweeper had run between queueing the first check and storing the order.
    const early = { orderNo: 'P20230701120000early000', dueMinute: minuteOf(t.clock.now()), attempt: 0 };
    await t.deps.checks.schedule(early);
    await t.sweep();
    await t.deps.orders.create({
      ...(await t.deps.orders.findById(o.id))!,
      orderNo: early.orderNo,
      userId: 3,
    });
    t.provider.pay(early.orderNo);
    t.clock.advance(3 * MINUTE);
    await t.sweep();
    expect((await t.deps.orders.findByOrderNo(early.orderNo))?.status).toBe('completed');
  });

  it('closes and cancels an unpaid order once it expires', async () => {
    const t = await setup();
    const o = await t.place();
    for (let i = 0; i < 31; i++) {
      t.clock.advance(MINUTE);
      await t.sweep();
    }
    expect(await t.statusOf(o)).toBe('cancelled');
    expect(t.provider.calls).toContain(`close:${o.orderNo}`);
    expect(t.queries(o)).toBeLessThanOrEqual(6);
  });

  it('finishes a cancelled order whose late payment was settled just before a crash', async () => {
    const t = await setup();
    const o = await t.place();
    t.clock.advance(31 * MINUTE);
    await t.sweep();
    expect(await t.statusOf(o)).toBe('cancelled');
    // The money arrives late; the callback's process dies right after writing the settlement.
    t.provider.pay(o.orderNo);
    const settlements = t.deps.settlements;
    const crashing: Settlements = {
      find: (id) => settlements.find(id),
      inHour: (hour) => settlements.inHour(hour),
      scan: () => settlements.scan(),
      claimPayment: (claim) => settlements.claimPayment(claim),
      paymentClaim: (paymentId) => settlements.paymentClaim(paymentId),
      async record(s) {
        await settlements.record(s);
        throw new Error('SIGKILL');
      },
    };
    const cancelled = (await t.deps.orders.findById(o.id))!;
    const evidence = { paymentId: '4200late', amountFen: 990, paidAt: null, source: 'callback' as const };
    await expect(settleOrder({ ...t.deps, settlements: crashing })(cancelled, evidence)).rejects.toThrow(
      'SIGKILL',
    );
    expect(await t.statusOf(o)).toBe('cancelled');
    t.clock.advance(2 * MINUTE);
    await t.sweep();
    expect(await t.statusOf(o)).toBe('completed');
    expect((await t.deps.ledger.head(1))?.balanceAfter).toBe(100);
  });

  it('hands a pending order whose reported transaction pays another order to a human, once', async () => {
    const t = await setup();
    const [a, b] = [await t.place(1), await t.place(2)];
    t.provider.pay(a.orderNo);
    t.provider.pay(b.orderNo, 990, `4200${a.orderNo}`); // the provider (or a fault) names a's transaction
    t.clock.advance(2 * MINUTE);
    await t.sweep();
    expect([await t.statusOf(a), await t.statusOf(b)]).toEqual(['completed', 'pending']);
    expect(await t.deps.reviews.find(`${b.id}:payment_reused`)).not.toBeNull();
    const asked = t.queries(b);
    for (let i = 0; i < 6; i++) {
      t.clock.advance(30 * MINUTE);
      await t.sweep();
    }
    expect(t.queries(b)).toBe(asked); // no longer followed: the provider is not asked again
    expect((await t.deps.ledger.head(2))?.balanceAfter ?? 0).toBe(0);
  });

  it('repairs a status that a dead writer left stale', async () => {
    const t = await setup();
    const o = await t.place();
    await settleOrder(t.deps)(o, { paymentId: '4200x', amountFen: 990, paidAt: null, source: 'callback' });
    expect((await refundOrder(t.deps)(o.id)).ok).toBe(true);
    // A slow `completed` write lands after the refund, and its process dies before checking.
    await t.deps.orders.project(o.id, EVERY, { status: 'completed', updatedAt: t.clock.now() });
    t.clock.advance(2 * MINUTE);
    await t.sweep();
    expect(await t.statusOf(o)).toBe('refunded');
  });
});

describe('refunds in flight', () => {
  it('hands every checked order with a refund to the refund follow-up, and looks again while it is pending', async () => {
    const answers: ('pending' | 'done')[] = ['pending', 'pending', 'done'];
    const followed: number[] = [];
    const t = await setup({
      followRefund: async (_deps, order) => {
        followed.push(order.id);
        return ok(answers.shift() ?? 'done');
      },
    });
    const o = await t.place();
    await settleOrder(t.deps)(o, { paymentId: '4200r', amountFen: 990, paidAt: null, source: 'callback' });
    await t.deps.refunds.claim({
      orderId: o.id,
      attempt: 1,
      outRefundNo: 'R1',
      refundFen: 990,
      reason: 'x',
      createdAt: T0,
    });
    for (let i = 0; i < 15; i++) {
      t.clock.advance(MINUTE);
      await t.sweep();
    }
    expect(followed).toEqual([o.id, o.id, o.id]);
  });
});

describe('refunds in flight, with the refund lifecycle wired in', () => {
  it('follows a refund the provider is processing on its back-off schedule until the order is refunded', async () => {
    const t = await setup({ followRefund: followRefundInFlight });
    const o = await t.place();
    await settleOrder(t.deps)(o, { paymentId: '4200p', amountFen: 990, paidAt: null, source: 'callback' });
    t.provider.setRefundStatus('PROCESSING');
    const started = await refundOrder(t.deps)(o.id);
    expect(started.ok && started.value.state).toBe('processing');
    const follows = () => t.provider.calls.filter((c) => c.startsWith('queryRefund:')).length;
    for (let i = 0; i < 6; i++) {
      t.clock.advance(MINUTE);
      await t.sweep();
    }
    expect(await t.statusOf(o)).toBe('completed');
    expect(follows()).toBeGreaterThanOrEqual(2);
    expect(follows()).toBeLessThanOrEqual(3);
    t.provider.setRefundStatus('SUCCESS');
    for (let i = 0; i < 6; i++) {
      t.clock.advance(MINUTE);
      await t.sweep();
    }
    expect(await t.statusOf(o)).toBe('refunded');
    expect((await t.deps.ledger.head(1))?.balanceAfter).toBe(0);
    const after = follows();
    t.clock.advance(120 * MINUTE);
    await t.sweep();
    expect(follows()).toBe(after);
  });
});

describe('the review queue', () => {
  it('hands a trade refunded before we saw it paid to a human, and stops asking the provider', async () => {
    const t = await setup();
    const o = await t.place();
    t.provider.refundedBeforeSettlement(o.orderNo);
    t.clock.advance(MINUTE);
    await t.sweep();
    for (let i = 0; i < 12; i++) {
      t.clock.advance(10 * MINUTE);
      await t.sweep();
    }
    expect(t.queries(o)).toBe(1);
    expect(await t.statusOf(o)).toBe('pending');
    const reviews = await t.deps.reviews.list({ openOnly: true }, { skip: 0, limit: 10 });
    expect(reviews.map((r) => [r.orderId, r.reason])).toEqual([[o.id, 'refunded_before_settlement']]);
  });

  it('gives up on an order it cannot resolve a day after its expiry, and opens a review', async () => {
    const t = await setup();
    const o = await t.place();
    t.provider.fail(o.orderNo);
    for (let i = 0; i < 26 * 6; i++) {
      t.clock.advance(10 * MINUTE);
      await t.sweep();
    }
    const reviews = await t.deps.reviews.list({}, { skip: 0, limit: 10 });
    expect(reviews.map((r) => [r.orderId, r.reason])).toEqual([[o.id, 'unresolved']]);
    const asked = t.queries(o);
    expect(asked).toBeLessThanOrEqual(40);
    t.clock.advance(5 * 60 * MINUTE);
    await t.sweep();
    expect(t.queries(o)).toBe(asked);
  });
});
