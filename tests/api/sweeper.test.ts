import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { FixedClock } from '../../src/adapters/system/clock';
import { minuteOf } from '../../src/domain/usecases/checks';
import { sweepOrders } from '../../src/domain/usecases/reconcile';
import { type HttpHarness, httpHarness } from './harness';

const MINUTE = 60_000;

/** The sweeper against the real sandbox over TCP, on a clock the test moves. */
describe('reconciliation sweeper (SPEC §2)', () => {
  let h: HttpHarness;
  let clock: FixedClock;
  let token: string;
  let sweep: ReturnType<typeof sweepOrders>;
  beforeAll(async () => {
    // Near real time: the sandbox checks time_expire against its own clock.
    clock = new FixedClock(new Date());
    h = await httpHarness({ clock });
    token = (await h.login('sweeper-user')).token;
    sweep = sweepOrders(h.deps, { callsPerMinute: 100, parallelism: 4, maxChecks: 1000 });
  });
  afterAll(() => h.stop());

  const sandbox = (path: string) => fetch(`${h.sandbox.url}${path}`, { method: 'POST' });
  const placeAndPay = async () => {
    token = (await h.login('sweeper-user')).token; // the test clock outruns a token's lifetime
    const created = (await h.request('POST', '/api/orders/create', { token, body: { product_id: 1 } })).body;
    expect((await h.request('POST', `/api/orders/pay/${created.order_id}`, { token })).status).toBe(200);
    return { id: created.order_id as number, orderNo: created.order_no as string };
  };
  const statusOf = async (id: number) => (await h.request('GET', `/api/orders/${id}`, { token })).body.status;
  const credits = async () => (await h.request('GET', '/api/users/me', { token })).body.credits as number;

  it('completes a paid order whose callback was lost, without any client query', async () => {
    const o = await placeAndPay();
    await sandbox(`/sandbox/trades/${o.orderNo}/pay?notify=false`);
    const before = await credits();
    await sweep();
    expect(await statusOf(o.id)).toBe('pending'); // too young to query yet
    clock.advance(3 * MINUTE);
    await sweep();
    expect(await statusOf(o.id)).toBe('completed');
    expect(await credits()).toBe(before + 100);
    await sweep();
    expect(await credits()).toBe(before + 100);
  });

  it('closes an expired unpaid order at the provider, then cancels it', async () => {
    const o = await placeAndPay();
    clock.advance(31 * MINUTE);
    await sweep();
    expect(await statusOf(o.id)).toBe('cancelled');
    const trade = (await (await fetch(`${h.sandbox.url}/sandbox/trades/${o.orderNo}`)).json()) as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(trade)).toContain('CLOSED');
  });

  it('completes instead of cancelling an expired order the provider says was paid', async () => {
    const o = await placeAndPay();
    await sandbox(`/sandbox/trades/${o.orderNo}/pay?notify=false`);
    const before = await credits();
    clock.advance(31 * MINUTE);
    await sweep();
    expect(await statusOf(o.id)).toBe('completed');
    expect(await credits()).toBe(before + 100);
  });

  it('finishes an order a crash left between settlement and grant', async () => {
    const o = await placeAndPay();
    const order = (await h.deps.orders.findById(o.id))!;
    await h.deps.settlements.record({
      orderId: o.id,
      paymentId: '4200000000000000000000000777',
      amountFen: 990,
      settledAt: clock.now(),
      source: 'callback',
    });
    await h.deps.orders.project(o.id, ['pending'], { status: 'paid', updatedAt: clock.now() });
    const before = await credits();
    clock.advance(3 * MINUTE);
    await sweep();
    expect(await statusOf(o.id)).toBe('completed');
    expect(await credits()).toBe(before + order.credits);
  });

  it('keeps going past an order that fails, and logs it', async () => {
    const broken = await h.deps.orders.create({
      ...(await h.deps.orders.findById((await placeAndPay()).id))!,
      orderNo: 'P20230101000000brokenxx',
      credits: 0,
    });
    await h.deps.settlements.record({
      orderId: broken.id,
      paymentId: null,
      amountFen: broken.amountFen,
      settledAt: clock.now(),
      source: 'callback',
    });
    await h.deps.checks.schedule({ orderNo: broken.orderNo, dueMinute: minuteOf(clock.now()), attempt: 0 });
    const o = await placeAndPay();
    await sandbox(`/sandbox/trades/${o.orderNo}/pay?notify=false`);
    clock.advance(3 * MINUTE);
    const report = await sweep();
    expect(report.unresolved).toBeGreaterThanOrEqual(1);
    expect(await statusOf(o.id)).toBe('completed');
    expect(
      h.logs.some((l) => l.event === 'sweeper.order_unresolved' && l.fields.order_id === broken.id),
    ).toBe(true);
  });

  it('leaves a young unpaid order alone', async () => {
    const o = await placeAndPay();
    clock.advance(3 * MINUTE);
    const report = await sweep();
    expect(await statusOf(o.id)).toBe('pending');
    expect(report.stillPending).toBeGreaterThanOrEqual(1);
  });
});
