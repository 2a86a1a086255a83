import { describe, expect, it } from 'bun:test';
import { MongoOrders } from '../../src/adapters/mongo/orders';
import { MongoStatusChanges } from '../../src/adapters/mongo/status-changes';
import { systemClock } from '../../src/adapters/system/clock';
import { hourOf } from '../../src/domain/figures';
import type { Order, OrderStatus } from '../../src/domain/order';
import type { OrderFilter } from '../../src/domain/ports';
import { backfillOrderList } from '../../src/domain/usecases/backfill';
import { anOrder, T0 } from '../support/builders';
import { processesOverOneDatabase } from '../support/processes';

/**
 * The console's order list reads the Mongo store hour by hour through a directory (order-hours.ts).
 * Orders stored by an earlier version have neither `created_hour` nor entries: until the backfill
 * has entered them all the list must still show them, and afterwards it must read by hour.
 */
describe('Mongo order list by hour, over orders stored before the directory (FerretDB unless TEST_MONGODB_URI)', () => {
  const store = processesOverOneDatabase('order_hours', (conn) => ({
    orders: new MongoOrders(conn),
    statusChanges: new MongoStatusChanges(conn),
  }));
  const HOUR = 3_600_000;
  const FILTERS: OrderFilter[] = [{}, { status: 'completed' }, { status: 'refunded' }, { amountFen: 1990 }];
  const ids = async (orders: MongoOrders, f: OrderFilter) =>
    (await orders.search(f, { skip: 0, limit: 100 })).map((o) => o.id);

  it('lists old orders before, during and after the backfill, then by hour only', async () => {
    const { orders: writer } = await store.open();
    await writer.backfillHours(); // the writer's own orders are entered as they are created
    const made: Order[] = [];
    const finals: OrderStatus[][] = [[], ['paid', 'completed'], ['paid', 'completed', 'refunded']];
    for (let i = 0; i < 12; i++) {
      const at = new Date(T0.getTime() + i * 5 * HOUR);
      const order = await writer.create(anOrder({ createdAt: at, amountFen: i % 2 ? 990 : 1990 }));
      let status: OrderStatus = 'pending';
      for (const next of finals[i % 3] ?? []) {
        await writer.project(order.id, [status], { status: next, updatedAt: at });
        status = next;
      }
      made.push({ ...order, status });
    }
    const expected = new Map(
      await Promise.all(FILTERS.map(async (f) => [JSON.stringify(f), await ids(writer, f)] as const)),
    );
    expect(expected.get('{}')?.length).toBe(12);
    expect(expected.get('{"status":"refunded"}')?.length).toBe(4);
    // What an earlier version stored: no created_hour, no directory.
    const db = store.db();
    await db.collection('orders').updateMany({}, { $unset: { created_hour: '' } });
    await db.collection('order_hours').deleteMany({});
    await db.collection('order_days').deleteMany({});

    const { orders: upgraded } = await store.open();
    const listsAsBefore = async (orders: MongoOrders) => {
      for (const f of FILTERS)
        expect({ f, got: await ids(orders, f) }).toEqual({ f, got: expected.get(JSON.stringify(f)) ?? [] });
    };
    await listsAsBefore(upgraded);
    let asked = 0;
    expect(await upgraded.backfillHours(() => ++asked > 5)).toEqual({ entered: 5, finished: false });
    await listsAsBefore(upgraded);
    expect(await upgraded.backfillHours()).toEqual({ entered: 7, finished: true });
    await listsAsBefore(upgraded);
    expect(await upgraded.backfillHours()).toEqual({ entered: 0, finished: true });
    for (const doc of await db.collection('orders').find({}).toArray())
      expect(doc.created_hour).toBe(hourOf(doc.created_at as Date));

    // A new process reads by hour: every read of orders is an equality on one hour.
    const { started } = await store.watched(async ({ orders }) => listsAsBefore(orders));
    const orderFinds = started('find').filter((c) => c.find === 'orders');
    expect(orderFinds.length).toBeGreaterThan(0);
    for (const c of orderFinds)
      expect(typeof (c.filter as { created_hour?: unknown }).created_hour).toBe('number');

    // The audit sees what the list would skip: a lost directory entry, a wrong created_hour.
    const listFaults = async () => {
      const out: string[] = [];
      for await (const f of (await store.open()).orders.storeFaults())
        if (f.check === 'order_list') out.push(`${f.subject}: ${f.message}`);
      return out;
    };
    expect(await listFaults()).toEqual([]);
    const refunded = made.find((o) => o.status === 'refunded')!;
    const hour = hourOf(refunded.createdAt);
    await db.collection('order_hours').deleteOne({ _id: `status:refunded:${hour}` as never });
    await db.collection('orders').updateOne({ _id: made[0]!.id as never }, { $set: { created_hour: 1 } });
    expect(await listFaults()).toEqual([
      `order ${made[0]!.id}: created_hour is 1, not ${hourOf(made[0]!.createdAt)}: the console's list skips it`,
      `order ${refunded.id}: the order directory lacks status:refunded:${hour}: the console's list skips that hour's orders of that kind`,
    ]);
  });

  // The pass rewrites each order it enters; on FerretDB an update writes the whole document, so a
  // status projection written between the pass's read and its write is lost. The run then repairs
  // every order whose status changed meanwhile, from the recorded changes.
  it('repairs the status of an order that changed while the pass ran', async () => {
    const { orders, statusChanges } = await store.open();
    const order = await orders.create(anOrder({ orderNo: 'LIST-REPAIR-1', createdAt: new Date() }));
    const now = new Date();
    // Recorded while the pass ran, its projection overwritten by the pass: still pending in the document.
    await statusChanges.record({
      orderId: order.id,
      status: 'paid',
      paymentId: 'T-REPAIR',
      paymentTime: now,
      at: now,
    });
    const db = store.db();
    await db.collection('orders').updateMany({}, { $unset: { created_hour: '' } });
    await db.collection('order_days').deleteMany({});
    const fresh = await store.open();
    const ran = await backfillOrderList({ ...fresh, clock: systemClock });
    expect(ran).toMatchObject({ finished: true, repaired: 1 });
    expect(await fresh.orders.findById(order.id)).toMatchObject({ status: 'paid', paymentId: 'T-REPAIR' });
  });
});
