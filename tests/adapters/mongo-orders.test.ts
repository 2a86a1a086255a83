import { describe, expect, it } from 'bun:test';
import { MongoOrders } from '../../src/adapters/mongo/orders';
import { anOrder, T0 } from '../support/builders';
import { processesOverOneDatabase } from '../support/processes';

/**
 * Orders are numbered per user (`user_order` = `<user>:<k>`) so a long history is paged by equality
 * probes. What only several processes over one real store can show: concurrent creates from two
 * processes number densely, a process that never saw the user pages right without reading the whole
 * history, and orders stored before numbering still follow, oldest last.
 */
describe('Mongo orders numbered per user across processes (FerretDB unless TEST_MONGODB_URI)', () => {
  const store = processesOverOneDatabase('orders_numbered', (conn) => new MongoOrders(conn));
  const aProcess = store.open;
  const minute = (n: number) => new Date(T0.getTime() + n * 60_000);
  const numbers = async (userId: number) =>
    (await store.db().collection('orders').find({ user_id: userId }).toArray())
      .map((d) => d.user_order as string | undefined)
      .filter((n) => n !== undefined)
      .sort((a, b) => Number(a.split(':')[1]) - Number(b.split(':')[1]));
  const createMany = async (orders: MongoOrders, userId: number, n: number, fromMinute: number) => {
    const made = [];
    for (let i = 0; i < n; i++)
      made.push(await orders.create(anOrder({ userId, createdAt: minute(fromMinute + i) })));
    return made;
  };
  /** Every page of `size`, concatenated: the whole list as a client paging through it sees it. */
  const allPages = async (orders: MongoOrders, userId: number, size: number) => {
    const out: string[] = [];
    for (let skip = 0; ; skip += size) {
      const page = await orders.listByUser(userId, { skip, limit: size });
      out.push(...page.map((o) => o.orderNo));
      if (page.length < size) return out;
    }
  };
  it('numbers concurrent creates of one user from two processes densely, each order once', async () => {
    const [a, b] = [await aProcess(), await aProcess()];
    await createMany(a, 1, 2, 0);
    await b.listByUser(1, { skip: 0, limit: 1 }); // b remembers 2; then a moves on without it
    await createMany(a, 1, 3, 2);
    const made = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).create(anOrder({ userId: 1, createdAt: minute(10) })),
      ),
    );
    expect(new Set(made.map((o) => o.id)).size).toBe(40);
    expect(await numbers(1)).toEqual(Array.from({ length: 45 }, (_, i) => `1:${i + 1}`));
    const listed = await allPages(await aProcess(), 1, 7);
    expect(listed.length).toBe(45);
    expect(new Set(listed).size).toBe(45);
  });

  it('pages in one order whether a page is read in one query or by probes', async () => {
    const [a, b] = [await aProcess(), await aProcess()];
    // Each process holds its own block of ids, and the two take turns: with one date for all, the
    // ids order the orders a, a, …, b, b, … while the numbers order them a, b, a, b, ….
    await a.create(anOrder({ userId: 10 }));
    await b.create(anOrder({ userId: 10 }));
    const inTurns = async (n: number) => {
      for (let i = 0; i < n; i++) await (i % 2 ? a : b).create(anOrder({ userId: 8, createdAt: T0 }));
    };
    await inTurns(64);
    const short = await allPages(await aProcess(), 8, 10); // 64 numbered: one query a page
    await inTurns(6);
    const probed = await allPages(await aProcess(), 8, 10); // 70: probes
    expect(probed.slice(6)).toEqual(short);
    const numbered = (await store.db().collection('orders').find({ user_id: 8 }).toArray())
      .sort((x, y) => (y.user_seq as number) - (x.user_seq as number))
      .map((d) => d.order_no as string);
    expect(probed).toEqual(numbered);
  });

  it('takes the numbers of concurrent creates of one user in one process in turn, without a clash', async () => {
    const { result, started } = await store.watched((orders) =>
      Promise.all(
        Array.from({ length: 30 }, () => orders.create(anOrder({ userId: 7, createdAt: minute(0) }))),
      ),
    );
    expect(result.length).toBe(30);
    const inserts = (collection: string) => started('insert').filter((c) => c.insert === collection).length;
    expect(inserts('orders')).toBe(30); // each lost race would be one more insert, and a round of probes
    // The console list's directory: the hour and day of `all` and of the amount, once for all 30.
    expect(inserts('order_hours') + inserts('order_days')).toBe(4);
    expect(await numbers(7)).toEqual(Array.from({ length: 30 }, (_, i) => `7:${i + 1}`));
  });

  it('pages a long history newest first by probes, in a process that never saw the user', async () => {
    const made = await createMany(await aProcess(), 2, 100, 0);
    const newestFirst = made.map((o) => o.orderNo).reverse();
    const first = await store.watched((orders) => orders.listByUser(2, { skip: 0, limit: 20 }));
    const { result } = first;
    const finds = first.started('find');
    expect(result.map((o) => o.orderNo)).toEqual(newestFirst.slice(0, 20));
    // A sorted find of the user would hand FerretDB all 100 orders to sort; a probe finds one.
    expect(finds.filter((f) => f.sort)).toEqual([]);
    expect(finds.length).toBeLessThanOrEqual(1 + 2 * 6 + 20); // "more than 64?", gallop and bisect, the page
    const later = await store.watched((orders) => orders.listByUser(2, { skip: 90, limit: 20 }));
    expect(later.result.map((o) => o.orderNo)).toEqual(newestFirst.slice(90));
    expect(later.started('find').filter((f) => f.sort)).toEqual([]); // no orders from before numbering to look for
    expect(await allPages(await aProcess(), 2, 9)).toEqual(newestFirst);
  });

  it('notices a short history that grew long in another process', async () => {
    const a = await aProcess();
    const { result: probedFinds } = await store.watched(async (b, started) => {
      const finds = started('find');
      await createMany(b, 3, 10, 0); // b remembers 10: short
      const made = await createMany(a, 3, 70, 10);
      // The first page is still one query (b thought the history short), and shows b the head...
      expect((await b.listByUser(3, { skip: 0, limit: 3 })).map((o) => o.orderNo)).toEqual(
        made
          .slice(-3)
          .map((o) => o.orderNo)
          .reverse(),
      );
      // ...so the next page is read by probes, in the same order.
      const before = finds.length;
      const probed = await b.listByUser(3, { skip: 3, limit: 3 });
      expect(probed.map((o) => o.orderNo)).toEqual(
        made
          .slice(-6, -3)
          .map((o) => o.orderNo)
          .reverse(),
      );
      return finds.slice(before);
    });
    expect(probedFinds.filter((f) => f.sort)).toEqual([]);
    expect(probedFinds.length).toBe(1 + 3); // the head still there, and the page
  });

  it('lists orders stored before numbering after the numbered ones, oldest last', async () => {
    const legacy = Array.from({ length: 5 }, (_, i) => ({
      _id: 900_000 + i,
      order_no: `LEGACY-${i}`,
      user_id: 4,
      created_at: minute(-100 + i),
      updated_at: minute(-100 + i),
    }));
    // What the previous version stored: the order's fields, no user_order.
    const [made0] = await createMany(await aProcess(), 9, 1, 0);
    const template = await store.db().collection('orders').findOne({ order_no: made0!.orderNo });
    const { _id, user_order, user_seq, unnumbered_before, ...fields } = template!;
    await store
      .db()
      .collection('orders')
      .insertMany(legacy.map((l) => ({ ...fields, ...l })) as never[]);
    const made = await createMany(await aProcess(), 4, 70, 0);
    expect(await numbers(4)).toEqual(Array.from({ length: 70 }, (_, i) => `4:${i + 1}`));
    const expected = [...made.map((o) => o.orderNo).reverse(), ...legacy.map((l) => l.order_no).reverse()];
    expect(await allPages(await aProcess(), 4, 8)).toEqual(expected); // pages by probes, then the rest
    expect(await allPages(await aProcess(), 4, 100)).toEqual(expected); // one page across the boundary
    expect(await allPages(await aProcess(), 4, 10)).toEqual(expected); // a page ends on order 1
    const short = await aProcess(); // a short numbered history lists them all in one query
    await createMany(short, 5, 2, 0);
    await store
      .db()
      .collection('orders')
      .insertOne({
        ...fields,
        _id: 900_100,
        order_no: 'LEGACY-5',
        user_id: 5,
        created_at: minute(100), // dated after the numbered ones, yet listed after them as on a long path
      } as never);
    expect((await short.listByUser(5, { skip: 0, limit: 10 })).map((o) => o.orderNo).at(-1)).toBe('LEGACY-5');
    expect((await short.listByUser(5, { skip: 2, limit: 1 })).map((o) => o.orderNo)).toEqual(['LEGACY-5']);
  });

  it('still refuses a repeated order number, without taking a number for it', async () => {
    const a = await aProcess();
    const [first] = await createMany(a, 6, 1, 0);
    await expect(a.create(anOrder({ userId: 6, orderNo: first!.orderNo }))).rejects.toThrow(
      /duplicate order_no/,
    );
    await createMany(a, 6, 1, 1);
    expect(await numbers(6)).toEqual(['6:1', '6:2']);
  });

  it('tells the audit about a user whose order numbers have a gap', async () => {
    const a = await aProcess();
    const faults = async () => {
      const out: string[] = [];
      for await (const f of a.storeFaults()) out.push(`${f.subject}: ${f.message}`);
      return out;
    };
    expect(await faults()).toEqual([]); // every test above left dense numbers (and unnumbered orders)
    const made = await createMany(a, 12, 3, 0);
    await store.db().collection('orders').deleteOne({ order_no: made[1]!.orderNo });
    expect(await faults()).toEqual([
      'user 12: orders are numbered up to 3, but 1 of the numbers 1..3 are missing',
    ]);
  });
});

describe('Mongo order projection of a final status (FerretDB unless TEST_MONGODB_URI)', () => {
  const listing = processesOverOneDatabase('orders_final', (conn) => new MongoOrders(conn));
  const minute = (n: number) => new Date(T0.getTime() + n * 60_000);

  // A final status is filed under the hour the order was created in; the settle, cancel and refund
  // paths hold the order, so the store need not read it back on that (hot) path.
  it('files a final status under the order’s hour without reading the order when the caller holds it', async () => {
    const writer = await listing.open();
    await writer.backfillHours(() => false, { now: new Date(), repair: async () => true });
    const order = await writer.create(anOrder({ userId: 9, createdAt: minute(0) }));
    const { started } = await listing.watched(async (orders) => {
      await orders.project(order.id, ['pending'], { status: 'cancelled', updatedAt: minute(1) }, order);
    });
    expect(started('find').filter((c) => c.find === 'orders')).toEqual([]);
    const entries = started('insert').flatMap((c) => (c.documents as { _id: string }[]).map((d) => d._id));
    expect(entries).toContain(`status:cancelled:${Math.floor(order.createdAt.getTime() / 3_600_000)}`);
    // Listed by hour: the status's directory entry is what the list walks.
    const listed = await (await listing.open()).search({ status: 'cancelled' }, { skip: 0, limit: 50 });
    expect(listed.map((o) => o.id)).toContain(order.id);
    // Without it, the store reads the creation time itself.
    const other = await writer.create(anOrder({ userId: 9, createdAt: minute(0) }));
    const read = await listing.watched((orders) =>
      orders.project(other.id, ['pending'], { status: 'cancelled', updatedAt: minute(1) }),
    );
    expect(read.started('find').filter((c) => c.find === 'orders')).toHaveLength(1);
  });
});
