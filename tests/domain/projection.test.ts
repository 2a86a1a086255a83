import { describe, expect, it } from 'bun:test';
import type { OrderStatus } from '../../src/domain/order';
import type { Orders } from '../../src/domain/ports';
import { refundOrder } from '../../src/domain/usecases/refund';
import { settleOrder } from '../../src/domain/usecases/settle';
import { anOrder } from '../support/builders';
import { domainDeps } from '../support/domain-deps';

const EVERY: OrderStatus[] = ['pending', 'cancelled', 'paid', 'completed', 'refunded'];

/**
 * FerretDB's conditional update, slowed down: it reads the order (and checks `from`) at once, then
 * writes whatever it decided much later — over anything written in between.
 */
function slowFirstWriteOf(status: OrderStatus, orders: Orders) {
  let release!: () => void;
  let parked!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const hasParked = new Promise<void>((r) => {
    parked = r;
  });
  let used = false;
  const slow: Orders = Object.create(orders);
  slow.project = async (id, from, projection) => {
    if (used || projection.status !== status) return orders.project(id, from, projection);
    used = true;
    const read = await orders.findById(id);
    parked();
    await gate;
    if (read && from.includes(read.status)) await orders.project(id, EVERY, projection);
  };
  return { slow, release, hasParked };
}

describe('order status projection', () => {
  it('ends refunded when a slow `completed` write lands after the refund', async () => {
    const { deps } = domainDeps();
    const race = slowFirstWriteOf('completed', deps.orders);
    const racing = { ...deps, orders: race.slow };
    const order = await deps.orders.create(anOrder({ userId: 1, credits: 100 }));
    const settling = settleOrder(racing)(order, {
      paymentId: '4200000001',
      amountFen: 990,
      paidAt: null,
      source: 'callback',
    });
    await race.hasParked;
    const refunded = await refundOrder(racing)(order.id);
    expect(refunded.ok).toBe(true);
    expect((await deps.orders.findById(order.id))?.status).toBe('refunded');
    race.release();
    expect((await settling).ok).toBe(true);
    expect(await deps.orders.findById(order.id)).toMatchObject({
      status: 'refunded',
      paymentId: '4200000001',
    });
  });

  it('ends completed when a slow `cancelled` write lands after a late payment settled the order', async () => {
    const { deps } = domainDeps();
    const race = slowFirstWriteOf('cancelled', deps.orders);
    const order = await deps.orders.create(anOrder({ userId: 1, credits: 100 }));
    const { projectStatus } = await import('../../src/domain/usecases/projection');
    const cancelling = projectStatus({ ...deps, orders: race.slow }, order, { status: 'cancelled' });
    await race.hasParked;
    await settleOrder(deps)(order, {
      paymentId: '4200000002',
      amountFen: 990,
      paidAt: null,
      source: 'notify',
    });
    race.release();
    await cancelling;
    expect((await deps.orders.findById(order.id))?.status).toBe('completed');
  });
});
