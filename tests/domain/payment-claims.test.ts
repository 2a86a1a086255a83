// One provider transaction pays one order. Before claims existed, two signed reports carrying the
// same transaction id for two orders completed both; these tests fail without the claim.
import { describe, expect, it } from 'bun:test';
import type { Alert } from '../../src/domain/alert';
import { DEFAULT_AUDIT_CHECKS } from '../../src/domain/audit';
import { purchaseKey } from '../../src/domain/ledger';
import type { Order } from '../../src/domain/order';
import { auditStore } from '../../src/domain/usecases/audit';
import { backfillPaymentClaims } from '../../src/domain/usecases/backfill';
import type { Deps } from '../../src/domain/usecases/deps';
import { settleOrder } from '../../src/domain/usecases/settle';
import { anEntry, anOrder, T0 } from '../support/builders';
import { domainDeps } from '../support/domain-deps';

/** Memory storage (domain-deps.ts) with the alerts the use cases raise collected. */
function makeDeps() {
  const raised: Alert[] = [];
  const { deps: base, logs } = domainDeps();
  const deps: Deps = { ...base, alerts: { raise: (a) => raised.push(a) } };
  const place = (userId: number) => deps.orders.create(anOrder({ userId, amountFen: 990, credits: 100 }));
  const pay = (order: Order, paymentId: string) =>
    settleOrder(deps)(order, { paymentId, amountFen: 990, paidAt: null, source: 'callback' });
  const current = async (order: Order) => (await deps.orders.findById(order.id))!;
  const balance = async (userId: number) => (await deps.ledger.head(userId))?.balanceAfter ?? 0;
  return { deps, logs, raised, place, pay, current, balance };
}

describe('a transaction already paying one order', () => {
  it('does not settle a second order, opens a review on it and raises one critical alert', async () => {
    const t = makeDeps();
    const a = await t.place(1);
    const b = await t.place(2);
    expect((await t.pay(a, '4200shared')).ok).toBe(true);
    for (let i = 0; i < 3; i++)
      expect(await t.pay(await t.current(b), '4200shared')).toEqual({
        ok: false,
        error: { kind: 'payment_reused', holder: a.id },
      });

    expect((await t.current(a)).status).toBe('completed');
    expect((await t.current(b)).status).toBe('pending');
    expect(await t.deps.settlements.find(b.id)).toBeNull();
    expect([await t.balance(1), await t.balance(2)]).toEqual([100, 0]);
    const review = await t.deps.reviews.find(`${b.id}:payment_reused`);
    expect(review).toMatchObject({
      orderNo: b.orderNo,
      detail: `交易 4200shared 已属于订单 ${a.id}，本订单未结算`,
    });
    // Same kind, key and hour (the claim's) each time, however late: the outbox stores it once.
    const claimed = (await t.deps.settlements.paymentClaim('4200shared'))!.claimedAt;
    expect(new Set(t.raised.map((r) => `${r.kind}:${r.key}:${r.at?.toISOString()}`))).toEqual(
      new Set([`payment_reused:${b.id}:4200shared:${claimed.toISOString()}`]),
    );
    expect(t.raised[0]).toMatchObject({
      severity: 'critical',
      facts: { held_by_order: a.id, situation: 'refused' },
    });
    expect(t.raised[0]?.text).toContain(`订单 ${b.id} 未结算、未发放积分`);
    expect(t.logs.map((l) => l.event)).toContain('payment.reused');
  });

  it('lets exactly one of four orders settle when all are reported with it at once', async () => {
    const t = makeDeps();
    const orders = await Promise.all([1, 2, 3, 4].map((u) => t.place(u)));
    await Promise.all(orders.map((o) => t.pay(o, '4200race')));
    const statuses = await Promise.all(orders.map(async (o) => (await t.current(o)).status));
    expect(statuses.filter((s) => s === 'completed')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'pending')).toHaveLength(3);
    const credits = await Promise.all([1, 2, 3, 4].map((u) => t.balance(u)));
    expect(credits.reduce((s, c) => s + c, 0)).toBe(100);
  });

  it('still settles the second order with a transaction of its own', async () => {
    const t = makeDeps();
    const a = await t.place(1);
    const b = await t.place(2);
    await t.pay(a, '4200a');
    await t.pay(b, '4200a');
    await t.pay(await t.current(b), '4200b');
    expect((await t.current(b)).status).toBe('completed');
    expect(await t.balance(2)).toBe(100);
  });

  it('is a reuse, not a second payment, when the reported order is already completed', async () => {
    const t = makeDeps();
    const a = await t.place(1);
    const b = await t.place(2);
    await t.pay(a, '4200a');
    await t.pay(b, '4200b');
    // b is fine (its own transaction paid it): the report is recorded, and b answers as it is.
    expect(await t.pay(await t.current(b), '4200a')).toMatchObject({
      ok: true,
      value: { status: 'completed' },
    });
    expect(await t.deps.reviews.find(`${b.id}:payment_reused`)).toMatchObject({
      detail: `交易 4200a 属于订单 ${a.id}，却被报告为本订单的支付；本订单已由自己的交易结算`,
    });
    expect(t.raised[0]?.text).toContain(`订单 ${b.id} 已由它自己的交易结算`);
    expect(await t.deps.reviews.find(`${b.id}:second_payment`)).toBeNull();
    expect([await t.balance(1), await t.balance(2)]).toEqual([100, 100]);
    // A genuinely new transaction for a completed order is still a second payment.
    await t.pay(await t.current(b), '4200c');
    expect(await t.deps.reviews.find(`${b.id}:second_payment`)).not.toBeNull();
  });

  it("finishes an order settled by its own transaction before a crash, though reported with another order's", async () => {
    const t = makeDeps();
    const [a, b] = [await t.place(1), await t.place(2)];
    await t.pay(a, '4200a');
    // b's own payment was claimed and settled, then the process died before the grant.
    await t.deps.settlements.claimPayment({ paymentId: '4200b', orderId: b.id, claimedAt: T0 });
    await t.deps.settlements.record({
      orderId: b.id,
      paymentId: '4200b',
      amountFen: 990,
      settledAt: T0,
      source: 'callback',
    });
    expect((await t.pay(await t.current(b), '4200a')).ok).toBe(true);
    expect((await t.current(b)).status).toBe('completed');
    expect(await t.balance(2)).toBe(100);
    expect(t.raised.map((r) => r.facts.situation)).toEqual(['own_settlement']);
  });

  it('finishes an order whose process died after claiming the transaction', async () => {
    const t = makeDeps();
    const a = await t.place(1);
    await t.deps.settlements.claimPayment({ paymentId: '4200crash', orderId: a.id, claimedAt: T0 }); // then it died
    await t.pay(a, '4200crash');
    expect((await t.current(a)).status).toBe('completed');
    expect(await t.balance(1)).toBe(100);
  });
});

describe('the claims backfill and the audit', () => {
  const settleDirectly = async (t: ReturnType<typeof makeDeps>, order: Order, paymentId: string) => {
    // As a settlement stored before claims existed: the record, the grant and the status, no claim.
    const { settlement } = await t.deps.settlements.record({
      orderId: order.id,
      paymentId,
      amountFen: 990,
      settledAt: t.deps.clock.now(),
      source: 'callback',
    });
    await t.deps.ledger.insert(
      anEntry({
        userId: order.userId,
        relatedOrderId: order.id,
        idempotencyKey: purchaseKey(order.id),
        createdAt: settlement.settledAt,
      }),
    );
    await t.deps.orders.project(order.id, ['pending'], {
      status: 'completed',
      paymentId,
      paymentTime: settlement.settledAt,
      updatedAt: settlement.settledAt,
    });
    await t.deps.statusChanges.record({ orderId: order.id, status: 'paid', at: settlement.settledAt });
    await t.deps.statusChanges.record({ orderId: order.id, status: 'completed', at: settlement.settledAt });
  };

  it('claims old settlements once, reports a shared transaction, and the audit agrees', async () => {
    const t = makeDeps();
    const [a, b, c] = await Promise.all([1, 2, 3].map((u) => t.place(u)));
    await settleDirectly(t, a!, '4200old');
    await settleDirectly(t, b!, '4200old');
    await settleDirectly(t, c!, '4200other');
    const audit = auditStore(t.deps, DEFAULT_AUDIT_CHECKS);

    const before = await audit();
    expect(before.violations).toEqual({ payment_claim: 3 });
    expect(before.findings.map((f) => f.message)).toContain('settled by 4200old, which no order has claimed');

    // A run stopped at shutdown is done again at the next start; one that finished is not.
    expect(await backfillPaymentClaims(t.deps, () => true)).toEqual({
      claimed: 0,
      reused: 0,
      finished: false,
    });
    expect(await backfillPaymentClaims(t.deps)).toEqual({ claimed: 2, reused: 1, finished: true });
    expect(await backfillPaymentClaims(t.deps)).toEqual({ claimed: 0, reused: 0, finished: true });
    expect((await t.deps.settlements.paymentClaim('4200old'))?.orderId).toBe(a!.id);
    expect(await t.deps.reviews.find(`${b!.id}:payment_reused`)).toMatchObject({
      detail: `交易 4200old 同时结算了本订单和订单 ${a!.id}`,
    });
    expect(t.raised.map((r) => r.facts.situation)).toEqual(['both_settled']);

    // The pair is the review's business now: open, it is counted there; resolved, nowhere.
    expect((await audit()).violations).toEqual({ review_queue: 1 });
    await t.deps.reviews.resolve(`${b!.id}:payment_reused`, '积分已追回', T0);
    expect((await audit()).ok).toBe(true);
  });

  it('finds a pair nobody was asked about, and leaves settlements without a transaction alone', async () => {
    const t = makeDeps();
    const [a, b, c] = await Promise.all([1, 2, 3].map((u) => t.place(u)));
    await settleDirectly(t, a!, '4200x');
    await settleDirectly(t, b!, '4200x');
    await t.deps.settlements.claimPayment({ paymentId: '4200x', orderId: a!.id, claimedAt: T0 });
    // Settled with no transaction id (an xpay iOS payment, a statement row without one).
    await t.deps.settlements.record({
      orderId: c!.id,
      paymentId: null,
      amountFen: 990,
      settledAt: T0,
      source: 'statement',
    });
    const report = await auditStore(t.deps, DEFAULT_AUDIT_CHECKS)();
    expect(report.violations.payment_claim).toBe(1);
    expect(report.findings).toContainEqual({
      check: 'payment_claim',
      subject: `order ${b!.id}`,
      message: `settled by 4200x, which pays order ${a!.id}`,
    });
  });
});
