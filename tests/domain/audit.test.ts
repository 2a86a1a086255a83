import { describe, expect, it } from 'bun:test';
import { FixedClock } from '../../src/adapters/system/clock';
import type { OrderStatus } from '../../src/domain/order';
import { AuditStopped, auditStore } from '../../src/domain/usecases/audit';
import { seedDemoProducts } from '../../src/domain/usecases/catalog';
import { consumeCredits } from '../../src/domain/usecases/credits';
import { createOrder } from '../../src/domain/usecases/orders';
import { refundOrder } from '../../src/domain/usecases/refund';
import { settleOrder } from '../../src/domain/usecases/settle';
import { anEntry, T0 } from '../support/builders';
import { domainDeps } from '../support/domain-deps';

const EVERY: OrderStatus[] = ['pending', 'cancelled', 'paid', 'completed', 'refunded'];

/** A store with one of everything done right: completed, refunded, pending orders and a spend. */
async function healthyStore() {
  const t = domainDeps({ clock: new FixedClock(T0) });
  await seedDemoProducts(t.deps)();
  const users = [await t.deps.users.ensure('o-a', T0), await t.deps.users.ensure('o-b', T0)].map(
    (u) => u.user,
  );
  const place = async (userId: number) => {
    const o = await createOrder(t.deps)(userId, 1);
    if (!o.ok) throw new Error(o.error.kind);
    return o.value;
  };
  const completed = await place(users[0]!.id);
  await settleOrder(t.deps)(completed, {
    paymentId: '4200a',
    amountFen: 990,
    paidAt: null,
    source: 'callback',
  });
  const refunded = await place(users[0]!.id);
  await settleOrder(t.deps)(refunded, {
    paymentId: '4200b',
    amountFen: 990,
    paidAt: null,
    source: 'callback',
  });
  expect((await refundOrder(t.deps)(refunded.id)).ok).toBe(true);
  await consumeCredits(t.deps)(users[0]!.id, { amount: 30, description: '兑换', idempotencyKey: 'k1' });
  const pending = await place(users[1]!.id);
  const audit = auditStore(t.deps);
  return { ...t, users, completed, refunded, pending, audit };
}

describe('the integrity audit', () => {
  it('stops at the next order when told, once the orders it is examining are done', async () => {
    const t = await healthyStore();
    let examining = 0;
    let examined = 0;
    // Only the examination of an order reads its status changes.
    const statusChanges = Object.assign(Object.create(t.deps.statusChanges), {
      async list(orderId: number) {
        examining++;
        await Bun.sleep(20);
        examining--;
        examined++;
        return t.deps.statusChanges.list(orderId);
      },
    });
    // Stop as soon as the first order is being examined: the next order's turn ends the scan.
    const run = auditStore({ ...t.deps, statusChanges })({ stop: () => examining + examined > 0 });
    await expect(run).rejects.toBeInstanceOf(AuditStopped);
    expect(examining).toBe(0);
    expect(examined).toBe(1);
  });

  it('reports the faults the orders store finds in its own bookkeeping', async () => {
    const t = await healthyStore();
    const faulty = Object.assign(Object.create(t.deps.orders), {
      async *storeFaults() {
        yield {
          subject: 'user 7',
          message: 'orders are numbered up to 3, but 1 of the numbers 1..3 are missing',
        };
      },
    });
    const report = await auditStore({ ...t.deps, orders: faulty })();
    expect(report).toMatchObject({ ok: false, violations: { order_numbers: 1 } });
    expect(report.findings).toEqual([
      {
        check: 'order_numbers',
        subject: 'user 7',
        message: 'orders are numbered up to 3, but 1 of the numbers 1..3 are missing',
      },
    ]);
  });

  it('passes a store where every record agrees', async () => {
    const t = await healthyStore();
    const report = await t.audit();
    expect(report).toMatchObject({ ok: true, violations: {}, findings: [] });
    expect(report.scanned).toEqual({ users: 2, entries: 4, orders: 3, reviews: 0 });
  });

  it('finds a gap in a seq, a wrong running balance and a negative balance', async () => {
    const t = await healthyStore();
    const user = t.users[1]!.id;
    await t.deps.ledger.insert(
      anEntry({
        userId: user,
        seq: 1,
        amount: 5,
        balanceAfter: 5,
        idempotencyKey: 'a1',
        type: 'adjust',
        relatedOrderId: null,
      }),
    );
    await t.deps.ledger.insert(
      anEntry({
        userId: user,
        seq: 3,
        amount: 5,
        balanceAfter: 10,
        idempotencyKey: 'a3',
        type: 'adjust',
        relatedOrderId: null,
      }),
    );
    await t.deps.ledger.insert(
      anEntry({
        userId: user,
        seq: 4,
        amount: -20,
        balanceAfter: -7,
        idempotencyKey: 'a4',
        type: 'adjust',
        relatedOrderId: null,
      }),
    );
    const report = await t.audit();
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => [f.check, f.subject, f.message])).toEqual([
      ['ledger_chain', `user ${user} seq 3`, 'seq 3 follows 1 (expected 2)'],
      ['ledger_chain', `user ${user} seq 4`, 'seq 4: balance_after -7, running sum -10'],
      ['ledger_chain', `user ${user} seq 4`, 'seq 4: balance_after -7 is negative'],
    ]);
  });

  it('finds credits without a settlement, a settlement without credits, and a cancelled order that was paid', async () => {
    const t = await healthyStore();
    const user = t.users[1]!.id;
    await t.deps.ledger.insert(
      anEntry({
        userId: user,
        seq: 1,
        amount: 100,
        balanceAfter: 100,
        relatedOrderId: 999,
        idempotencyKey: 'purchase:999',
      }),
    );
    await t.deps.settlements.record({
      orderId: t.pending.id,
      paymentId: '4200p',
      amountFen: 990,
      settledAt: T0,
      source: 'notify',
    });
    await t.deps.settlements.claimPayment({ paymentId: '4200p', orderId: t.pending.id, claimedAt: T0 });
    await t.deps.orders.project(t.pending.id, ['pending'], { status: 'cancelled', updatedAt: T0 });
    const report = await t.audit();
    expect(report.violations).toEqual({ settlement_purchase: 2, order_status: 1 });
    expect(report.findings.map((f) => f.message)).toEqual([
      'purchase entry 5 for order 999 has no settlement',
      'settled but no purchase entry',
      'settled but cancelled',
    ]);
  });

  it('finds a status behind what the order reached, and a refund entry without its attempt', async () => {
    const t = await healthyStore();
    await t.deps.orders.project(t.refunded.id, EVERY, { status: 'completed', updatedAt: T0 });
    const report = await t.audit();
    expect(report.findings).toEqual([
      {
        check: 'order_status',
        subject: `order ${t.refunded.id}`,
        message: 'completed though it reached refunded (a stale write)',
      },
      {
        check: 'refund_records',
        subject: `order ${t.refunded.id}`,
        message: 'refund succeeded but completed',
      },
    ]);
    const other = await healthyStore();
    const user = other.users[1]!.id;
    await other.deps.ledger.insert(
      anEntry({
        userId: user,
        seq: 1,
        amount: -1,
        balanceAfter: 0,
        type: 'refund',
        relatedOrderId: 7,
        idempotencyKey: 'refund:7',
      }),
    );
    expect((await other.audit()).findings.map((f) => f.message)).toContain(
      'refund entry 5 (refund:7) has no refund attempt',
    );
  });

  it('finds a refund that gave up without giving the credits back', async () => {
    const t = await healthyStore();
    const user = t.users[1]!.id;
    const o = (await createOrder(t.deps)(user, 1)) as { ok: true; value: { id: number; orderNo: string } };
    const order = (await t.deps.orders.findById(o.value.id))!;
    await settleOrder(t.deps)(order, {
      paymentId: '4200c',
      amountFen: 990,
      paidAt: null,
      source: 'callback',
    });
    t.provider.setRefundStatus('PROCESSING');
    expect((await refundOrder(t.deps)(order.id)).ok).toBe(true);
    const [attempt] = await t.deps.refunds.attempts(order.id);
    // The provider closed it, but the process died before giving the credits back.
    await t.deps.refunds.record({
      outRefundNo: attempt!.outRefundNo,
      stage: 'final',
      outcome: 'closed',
      refundId: null,
      detail: 'CLOSED',
      source: 'follow',
      at: T0,
    });
    expect((await t.audit()).findings).toEqual([
      {
        check: 'refund_records',
        subject: `order ${order.id}`,
        message: `${attempt!.outRefundNo}: closed, 100 credits taken, 0 given back`,
      },
    ]);
  });

  it('reports open reviews, such as a second payment, until they are resolved', async () => {
    const t = await healthyStore();
    const order = (await t.deps.orders.findById(t.completed.id))!;
    await settleOrder(t.deps)(order, {
      paymentId: '4200again',
      amountFen: 990,
      paidAt: null,
      source: 'notify',
    });
    const report = await t.audit();
    expect(report.findings).toEqual([
      {
        check: 'review_queue',
        subject: `review ${order.id}:second_payment`,
        message: 'open review second_payment: 已按交易 4200a 结算，又收到交易 4200again 的支付',
      },
    ]);
    await t.deps.reviews.resolve(`${order.id}:second_payment`, '已退款', T0);
    expect((await t.audit()).ok).toBe(true);
  });

  it('counts every violation but lists only the first few', async () => {
    const t = await healthyStore();
    const user = t.users[1]!.id;
    for (let seq = 2; seq <= 30; seq += 2)
      await t.deps.ledger.insert(
        anEntry({
          userId: user,
          seq,
          amount: 1,
          balanceAfter: seq,
          idempotencyKey: `g${seq}`,
          type: 'adjust',
          relatedOrderId: null,
        }),
      );
    const report = await t.audit({ maxFindings: 3 });
    expect(report.violations).toEqual({ ledger_chain: 15 });
    expect(report.findings).toHaveLength(3);
  });
});
