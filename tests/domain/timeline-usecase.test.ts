import { describe, expect, it } from 'bun:test';
import { FixedClock } from '../../src/adapters/system/clock';
import type { Order } from '../../src/domain/order';
import type { PaymentEvents } from '../../src/domain/ports';
import { err } from '../../src/domain/result';
import { REVIEW_REASONS } from '../../src/domain/review';
import type { TimelineItem } from '../../src/domain/timeline';
import { seedDemoProducts } from '../../src/domain/usecases/catalog';
import type { Deps } from '../../src/domain/usecases/deps';
import { createOrder } from '../../src/domain/usecases/orders';
import { journaledPayments } from '../../src/domain/usecases/payment-journal';
import { sweepOrders } from '../../src/domain/usecases/reconcile';
import { orderTimeline, type TimelineOptions } from '../../src/domain/usecases/timeline';
import { T0 } from '../support/builders';
import { domainDeps } from '../support/domain-deps';

const MINUTE = 60_000;

/** Memory storage, a clock that stands still unless moved, the scripted provider wrapped as in production. */
async function setup() {
  const t = domainDeps({ clock: new FixedClock(T0) });
  const deps: Deps = { ...t.deps, payments: journaledPayments(t.deps.payments, t.deps) };
  await seedDemoProducts(deps)();
  const place = async (): Promise<Order> => {
    const created = await createOrder(deps)(1, 1);
    if (!created.ok) throw new Error(created.error.kind);
    return created.value;
  };
  const sweep = sweepOrders(deps, { callsPerMinute: 1000, parallelism: 1, maxChecks: 100 });
  const read = async (o: Order, options: TimelineOptions = {}, cursor?: string, limit?: number) => {
    const r = await orderTimeline(deps, options)(o.id, {
      ...(cursor ? { cursor } : {}),
      ...(limit ? { limit } : {}),
    });
    if (!r.ok) throw new Error(r.error.kind);
    return r.value;
  };
  return { ...t, deps, place, sweep, read };
}

const story = (items: readonly TimelineItem[]) =>
  items.map((i) => (i.kind === 'status_changed' ? `status:${i.detail.status}` : i.kind));

describe('orderTimeline', () => {
  it('tells a payment the sweeper healed, cause before effect though every record has the same instant', async () => {
    const t = await setup();
    const o = await t.place();
    t.provider.pay(o.orderNo); // paid at the provider, callback lost, nobody polls
    t.clock.advance(5 * MINUTE);
    await t.sweep();
    const { items, nextCursor } = await t.read(o);
    expect(nextCursor).toBeNull();
    expect(story(items)).toEqual([
      'order_created',
      'provider_query',
      'settlement',
      'status:paid',
      'ledger_entry',
      'status:completed',
      'sweeper_check',
    ]);
    const check = items.at(-1)!;
    expect(check.summary).toBe('对账巡检：已补单（确认支付并发放积分）');
    expect(check.detail).toMatchObject({ outcome: 'completed', order_status: 'pending' });
  });

  it('shows a review of every reason, the payment reuse and the shipping failure among them', async () => {
    const t = await setup();
    const o = await t.place();
    for (const reason of REVIEW_REASONS)
      await t.deps.reviews.open({ orderId: o.id, orderNo: o.orderNo, reason, detail: reason, createdAt: T0 });
    const { items } = await t.read(o);
    const opened = items
      .filter((i) => i.kind === 'review_opened')
      .map((i) => (i.detail as { reason: string }).reason);
    expect(opened.sort()).toEqual([...REVIEW_REASONS].sort());
    expect(items.find((i) => i.key.endsWith('review:payment_reused'))?.summary).toStartWith(
      '转人工复核：支付方报告的交易已属于另一订单',
    );
  });

  it('tells the sweeper rescheduling an unpaid order, then closing and cancelling it once expired', async () => {
    const t = await setup();
    const o = await t.place();
    for (let i = 0; i < 8 && (await t.deps.orders.findById(o.id))?.status === 'pending'; i++) {
      t.clock.advance(10 * MINUTE);
      await t.sweep();
    }
    const { items } = await t.read(o);
    const checks = items.filter((i) => i.kind === 'sweeper_check');
    expect(checks.slice(0, -1).every((c) => c.detail.outcome === 'retry')).toBe(true);
    expect(checks[0]!.summary).toContain('trade NOTPAY');
    expect(checks.at(-1)!.detail.outcome).toBe('cancelled');
    expect(story(items).slice(-4)).toEqual([
      'provider_query',
      'provider_close',
      'status:cancelled',
      'sweeper_check',
    ]);
  });

  it('records provider failures and exceptions with their reason; a store that fails never fails the call', async () => {
    const t = await setup();
    const o = await t.place();
    t.provider.fail(o.orderNo);
    expect(await t.deps.payments.query(o.orderNo)).toEqual(
      err({ kind: 'provider_unavailable', message: 'down' }),
    );
    const throwing = journaledPayments(
      { ...t.provider.payments, query: async () => Promise.reject(new Error('socket hang up')) },
      t.deps,
    );
    await expect(throwing.query(o.orderNo)).rejects.toThrow('socket hang up');
    const { items } = await t.read(o);
    expect(items.slice(1).map((i) => [i.detail.outcome, i.detail.message])).toEqual([
      ['provider_unavailable', 'down'],
      ['exception', 'socket hang up'],
    ]);
    const broken: PaymentEvents = {
      ...t.deps.paymentEvents,
      record: () => Promise.reject(new Error('disk full')),
    };
    t.provider.fail(o.orderNo, false);
    const unrecorded = journaledPayments(t.provider.payments, { ...t.deps, paymentEvents: broken });
    expect((await unrecorded.query(o.orderNo)).ok).toBe(true);
    expect(t.logs.map((l) => l.event)).toContain('timeline.record_failed');
  });

  it('pages through hundreds of events of one instant, each exactly once, and merges operator actions', async () => {
    const t = await setup();
    const o = await t.place();
    for (let i = 0; i < 450; i++) await t.deps.payments.query(o.orderNo);
    const operatorActions: TimelineOptions['operatorActions'] = async (orderId, page) =>
      [0, 1, 2]
        .map((n) => ({
          at: new Date(T0.getTime() + n),
          kind: 'operator_action' as const,
          source: 'operator' as const,
          summary: `操作 ${n}`,
          detail: { order_id: orderId, token: 'secret' },
          key: `op:${n}`,
          rank: 0,
        }))
        .filter((i) => !page.before || i.at <= page.before);
    const whole: TimelineItem[] = [];
    let cursor: string | undefined;
    const sizes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const page = await t.read(o, { operatorActions }, cursor, 200);
      whole.unshift(...page.items);
      sizes.push(page.items.length);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(sizes).toEqual([200, 200, 54]);
    expect(new Set(whole.map((i) => i.key)).size).toBe(454);
    expect(story(whole.slice(0, 4))).toEqual([
      'operator_action',
      'order_created',
      'provider_query',
      'provider_query',
    ]);
    // Details from any source leave redacted.
    expect(whole[0]!.detail).toEqual({ order_id: o.id, token: '[REDACTED]' });
    expect(whole.filter((i) => i.kind === 'operator_action').map((i) => i.summary)).toEqual([
      '操作 0',
      '操作 1',
      '操作 2',
    ]);
  });
});
