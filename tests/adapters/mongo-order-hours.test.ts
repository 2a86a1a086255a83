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
 * The console's order list reads the Mongo store hour by hour through a directory (hour-directory.ts).
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
  /** A run with nothing to repair (the status repair is tested on its own below). */
  const run = { now: new Date(), repair: async () => true };
  const ids = async (orders: MongoOrders, f: OrderFilter) =>
    (await orders.search(f, { skip: 0, limit: 100 })).map((o) => o.id);

  it('lists old orders before, during and after the backfill, then by hour only', async () => {
    const { orders: writer } = await store.open();
    await writer.backfillHours(() => false, run); // the writer's own orders are entered as they are created
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
    expect(await upgraded.backfillHours(() => ++asked > 5, run)).toEqual({ entered: 5, finished: false });
    await listsAsBefore(upgraded);
    expect(await upgraded.backfillHours(() => false, run)).toEqual({ entered: 7, finished: true });
    await listsAsBefore(upgraded);
    expect(await upgraded.backfillHours(() => false, run)).toEqual({ entered: 0, finished: true });
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
      `order ${refunded.id}: the order directory lacks the hour status:refunded:${hour}: the console's list skips its orders of that kind`,
    ]);
    // A day entry lost hides every hour of that day from the walk.
    const day = Math.floor(hourOf(made[1]!.createdAt) / 24);
    await db.collection('order_days').deleteOne({ _id: `all:${day}` as never });
    expect((await listFaults()).filter((f) => f.includes('the day'))).toEqual([
      expect.stringContaining(`the order directory lacks the day all:${day}`),
    ]);
  });

  /** What an earlier version left: no created_hour, no directory (not even its marks). */
  const asStoredBefore = async () => {
    const db = store.db();
    await db.collection('orders').updateMany({}, { $unset: { created_hour: '' } });
    await db.collection('order_hours').deleteMany({});
    await db.collection('order_days').deleteMany({});
  };
  const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

  // The pass rewrites each order it enters; on FerretDB an update writes the whole document, so a
  // status projection written between the pass's read and its write is lost. Before the run may
  // finish, every order whose status changed since the *first* run began is repaired from the
  // recorded changes — also when that first run was stopped and a later one finishes.
  it('repairs the status of an order that changed since the first, stopped run began', async () => {
    const { orders, statusChanges } = await store.open();
    const order = await orders.create(anOrder({ orderNo: 'LIST-REPAIR-1', createdAt: minutesAgo(30) }));
    await orders.create(anOrder({ orderNo: 'LIST-REPAIR-2', createdAt: minutesAgo(30) }));
    await asStoredBefore();
    const first = await store.open();
    expect(
      await backfillOrderList({ ...first, clock: { now: () => minutesAgo(20) } }, () => true),
    ).toMatchObject({
      finished: false,
    });
    // Recorded while that run went on, its projection then overwritten by it: pending in the document.
    const at = minutesAgo(10);
    await statusChanges.record({
      orderId: order.id,
      status: 'paid',
      paymentId: 'T-REPAIR',
      paymentTime: at,
      at,
    });
    const next = await store.open();
    const ran = await backfillOrderList({ ...next, clock: systemClock });
    expect(ran).toMatchObject({ finished: true, repaired: 1 });
    expect(await next.orders.findById(order.id)).toMatchObject({ status: 'paid', paymentId: 'T-REPAIR' });
  });

  // The other way round: a projection that read the order before the pass set created_hour writes
  // the order back without it. So while the backfill is unfinished a projection sets it too, and after the
  // repair a pass must find no order without it, or the round repeats.
  it('keeps created_hour on orders projected during the backfill, and re-enters one that lost it', async () => {
    const { orders } = await store.open();
    // Hours apart, so neither is listed through the other's hour.
    const a = await orders.create(anOrder({ orderNo: 'LIST-KEEP-1', createdAt: minutesAgo(300) }));
    const b = await orders.create(anOrder({ orderNo: 'LIST-KEEP-2', createdAt: minutesAgo(30) }));
    await asStoredBefore();
    const upgraded = await store.open();
    await upgraded.orders.project(a.id, ['pending'], { status: 'paid', updatedAt: new Date() });
    const stored = async (id: number) =>
      (
        await store
          .db()
          .collection('orders')
          .findOne({ _id: id as never })
      )?.created_hour;
    expect(await stored(a.id)).toBe(hourOf(a.createdAt));
    let repairs = 0;
    const ran = await upgraded.orders.backfillHours(() => false, {
      now: new Date(),
      repair: async () => {
        // While the run went on, an order already entered lost created_hour again (a stale
        // whole-document write): the pass after the repair must find it, and the round repeats.
        if (++repairs === 1)
          await store
            .db()
            .collection('orders')
            .updateOne({ _id: b.id as never }, { $unset: { created_hour: '' } });
        return true;
      },
    });
    expect(repairs).toBe(2);
    expect(ran.finished).toBe(true);
    expect(await stored(b.id)).toBe(hourOf(b.createdAt));
    const listed = (await upgraded.orders.search({}, { skip: 0, limit: 1000 })).map((o) => o.id);
    expect(listed).toContain(a.id);
    expect(listed).toContain(b.id);
  });
});
