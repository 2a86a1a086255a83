import { describe, expect, it } from 'bun:test';
import { MemoryShipments } from '../../src/adapters/memory/shipments';
import { MemoryChecks } from '../../src/adapters/memory/sweeper';
import type { ShippingInfo } from '../../src/domain/ports';
import {
  itemDescription,
  nextShippingAttempt,
  type ShippingRequest,
  type ShippingResult,
} from '../../src/domain/shipping';
import type { Deps } from '../../src/domain/usecases/deps';
import { type PaidEvidence, settleOrder } from '../../src/domain/usecases/settle';
import { queueShipping, type ShippingDeps, uploadDueShipping } from '../../src/domain/usecases/shipping';
import { anOrder } from '../support/builders';
import { domainDeps } from '../support/domain-deps';

/** WeChat's upload_shipping_info, scripted: answers in order, then `uploaded`. */
function scriptedWechat(...answers: ShippingResult[]) {
  const calls: ShippingRequest[] = [];
  const info: ShippingInfo = {
    async upload(request) {
      calls.push(request);
      return answers.shift() ?? { kind: 'uploaded' };
    },
  };
  return { info, calls };
}

const minute = (clock: { now(): Date }) => Math.floor(clock.now().getTime() / 60_000);

function setup(...answers: ShippingResult[]) {
  const base = domainDeps();
  const wechat = scriptedWechat(...answers);
  const shipping: ShippingDeps = {
    queue: new MemoryChecks(),
    shipments: new MemoryShipments(),
    info: wechat.info,
  };
  const deps: Deps = { ...base.deps, shipping };
  return { ...base, deps, shipping, wechat, run: uploadDueShipping(deps, shipping) };
}

const paid = (paymentId = '4200001234202301011234567890'): PaidEvidence => ({
  paymentId,
  amountFen: 990,
  paidAt: new Date('2023-07-01T04:01:00Z'),
  source: 'callback',
});

async function creditedOrder(deps: Deps, paymentId?: string) {
  const { user } = await deps.users.ensure('oPayer', deps.clock.now());
  const order = await deps.orders.create(anOrder({ userId: user.id }));
  const settled = await settleOrder(deps)(order, paid(paymentId));
  expect(settled.ok).toBe(true);
  return order;
}

describe('shipping upload after crediting (SHIPPING_UPLOAD=on)', () => {
  it('queues the order when it is credited and uploads it once, with the order’s facts', async () => {
    const { deps, run, wechat, shipping, clock } = setup();
    const order = await creditedOrder(deps);
    // Duplicate callbacks of the credited order queue nothing more.
    await settleOrder(deps)((await deps.orders.findById(order.id))!, paid());
    expect(await run()).toEqual({ uploaded: 1 });
    expect(wechat.calls).toEqual([
      {
        orderNo: order.orderNo,
        transactionId: '4200001234202301011234567890',
        payerOpenid: 'oPayer',
        itemDesc: '100积分套餐',
        uploadedAt: clock.now(),
      },
    ]);
    expect((await shipping.shipments.find(order.id))?.result).toBe('uploaded');
    clock.advance(10 * 60_000);
    expect(await run()).toEqual({});
    expect(wechat.calls).toHaveLength(1);
  });

  it('a run between the queueing and the grant leaves the task to the next run of that minute', async () => {
    const { deps, run, wechat, shipping, clock } = setup();
    const { user } = await deps.users.ensure('oPayer', clock.now());
    const order = await deps.orders.create(anOrder({ userId: user.id }));
    // What settle does first: file the task, mark the order paid; the grant is still to come.
    await queueShipping(deps, shipping, order.orderNo);
    await deps.orders.project(order.id, ['pending'], { status: 'paid', updatedAt: clock.now() });
    expect(await run()).toEqual({ settling: 1 });
    expect(wechat.calls).toHaveLength(0);
    await settleOrder(deps)(order, paid());
    // Same minute: had the first run taken the minute's claims, this one could not upload.
    expect(await run()).toEqual({ uploaded: 1 });
    expect(wechat.calls).toHaveLength(1);
  });

  it('two tasks of one order due in the same run upload once', async () => {
    const { deps, run, wechat, shipping, clock } = setup();
    const order = await creditedOrder(deps);
    clock.advance(60_000);
    await shipping.queue.schedule({ orderNo: order.orderNo, dueMinute: minute(clock), attempt: 0 });
    await Promise.all([run(), run()]);
    expect(wechat.calls).toHaveLength(1);
  });

  it('a later task of an order already shipped uploads nothing (the shipment record)', async () => {
    const { deps, run, wechat, shipping, clock } = setup();
    const order = await creditedOrder(deps);
    await run();
    clock.advance(60_000);
    await shipping.queue.schedule({ orderNo: order.orderNo, dueMinute: minute(clock), attempt: 0 });
    expect(await run()).toEqual({ already_shipped: 1 });
    expect(wechat.calls).toHaveLength(1);
  });

  it('retries after a failure with back-off and succeeds once', async () => {
    const { deps, run, wechat, shipping, clock, logs } = setup({ kind: 'retry', reason: 'errcode 10060001' });
    const order = await creditedOrder(deps);
    expect(await run()).toEqual({ retry: 1 });
    expect(await shipping.shipments.find(order.id)).toBeNull();
    expect(logs.some((l) => l.event === 'shipping.upload_failed')).toBe(true);
    // Not before its time…
    expect(await run()).toEqual({});
    clock.advance(60_000);
    expect(await run()).toEqual({ uploaded: 1 });
    expect(wechat.calls).toHaveLength(2);
    clock.advance(3600_000);
    await run();
    expect(wechat.calls).toHaveLength(2);
  });

  it('takes "already shipped" as done, and opens a review when WeChat refuses outright', async () => {
    const a = setup({ kind: 'already_shipped' });
    const o1 = await creditedOrder(a.deps);
    expect(await a.run()).toEqual({ already_shipped: 1 });
    expect((await a.shipping.shipments.find(o1.id))?.result).toBe('already_shipped');
    const b = setup({ kind: 'rejected', reason: 'errcode 10060031: openid mismatch' });
    const o2 = await creditedOrder(b.deps);
    expect(await b.run()).toEqual({ rejected: 1 });
    const reviews = await b.deps.reviews.list({ openOnly: true }, { skip: 0, limit: 10 });
    expect(reviews.map((r) => [r.orderId, r.reason])).toEqual([[o2.id, 'shipping_failed']]);
    b.clock.advance(3600_000);
    expect(await b.run()).toEqual({});
  });

  it('gives up after about a day of failures and hands the order to a human', async () => {
    const failures = Array.from({ length: 40 }, () => ({ kind: 'retry' as const, reason: 'busy' }));
    const { deps, run, wechat, clock } = setup(...failures);
    const order = await creditedOrder(deps);
    for (let i = 0; i < 40; i++) {
      await run();
      clock.advance(3600_000);
    }
    expect(wechat.calls.length).toBe(30);
    const reviews = await deps.reviews.list({ openOnly: true }, { skip: 0, limit: 10 });
    expect(reviews.map((r) => [r.orderId, r.reason])).toEqual([[order.id, 'shipping_failed']]);
  });

  it('is off without the shipping deps, and skips an order refunded before its upload', async () => {
    const base = domainDeps();
    const order = await creditedOrder(base.deps);
    expect((await base.deps.orders.findById(order.id))?.status).toBe('completed');
    const { deps, run, wechat } = setup();
    const o = await creditedOrder(deps);
    await deps.orders.project(o.id, ['completed'], {
      status: 'refunded',
      refundTime: deps.clock.now(),
    } as never);
    expect(await run()).toEqual({ skipped: 1 });
    expect(wechat.calls).toEqual([]);
  });
});

describe('shipping rules', () => {
  it('item_desc: the package name, at most 120 characters', () => {
    expect(itemDescription('100积分套餐', 100)).toBe('100积分套餐');
    expect(itemDescription('  ', 100)).toBe('100 积分');
    expect([...itemDescription('积'.repeat(200), 1)]).toHaveLength(120);
  });
  it('back-off: 1, 2, 5, 10, 30 minutes, then hourly, 30 attempts in all', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => nextShippingAttempt(a, 100, 100)! - 100)).toEqual([
      1, 2, 5, 10, 30, 60, 60,
    ]);
    expect(nextShippingAttempt(29, 100, 100)).toBeNull();
  });
});
