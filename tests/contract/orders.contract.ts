import { beforeEach, describe, expect, it } from 'bun:test';
import { systemClock } from '../../src/adapters/system/clock';
import type { Order, OrderStatus } from '../../src/domain/order';
import type { OrderFilter } from '../../src/domain/ports';
import { backfillOrderList } from '../../src/domain/usecases/backfill';
import { anOrder, T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

export function ordersContract(make: MakeRepositories) {
  describe('Orders', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
      // A new store has nothing stored by an earlier version: its listing is complete at once.
      const backfill = await backfillOrderList({ ...repos, clock: systemClock });
      if (backfill) expect(backfill).toEqual({ entered: 0, finished: true, repaired: 0 });
    });

    it('allocates distinct integer ids, also concurrently, and round-trips every field', async () => {
      const drafts = Array.from({ length: 10 }, () => anOrder());
      const created = await Promise.all(drafts.map((d) => repos.orders.create(d)));
      expect(new Set(created.map((o) => o.id)).size).toBe(10);
      for (const [i, o] of created.entries()) {
        expect(Number.isInteger(o.id)).toBe(true);
        expect(await repos.orders.findById(o.id)).toEqual({ ...drafts[i]!, id: o.id });
        expect(await repos.orders.findByOrderNo(o.orderNo)).toEqual(o);
      }
    });

    it('refuses a second order with the same order_no', async () => {
      const draft = anOrder();
      await repos.orders.create(draft);
      await expect(repos.orders.create(draft)).rejects.toThrow();
    });

    it("lists only the user's orders, newest first, paged", async () => {
      const a = await repos.orders.create(anOrder({ userId: 5 }));
      await repos.orders.create(anOrder({ userId: 6 }));
      const b = await repos.orders.create(anOrder({ userId: 5 }));
      expect((await repos.orders.listByUser(5, { skip: 0, limit: 10 })).map((o) => o.id)).toEqual([
        b.id,
        a.id,
      ]);
      expect((await repos.orders.listByUser(5, { skip: 1, limit: 1 })).map((o) => o.id)).toEqual([a.id]);
    });

    it('scans every order, or those of one status', async () => {
      const a = await repos.orders.create(anOrder());
      const b = await repos.orders.create(anOrder());
      await repos.orders.project(b.id, ['pending'], { status: 'cancelled', updatedAt: T0 });
      const ids = async (status?: 'pending' | 'cancelled' | 'paid') => {
        const out: number[] = [];
        for await (const o of repos.orders.scan(status ? { status } : {})) out.push(o.id);
        return out.sort((x, y) => x - y);
      };
      expect(await ids()).toEqual([a.id, b.id].sort((x, y) => x - y));
      expect(await ids('pending')).toEqual([a.id]);
      expect(await ids('cancelled')).toEqual([b.id]);
      expect(await ids('paid')).toEqual([]);
    });

    it('projects a status only from the allowed states', async () => {
      const o = await repos.orders.create(anOrder());
      const paidAt = new Date(T0.getTime() + 60_000);
      await repos.orders.project(o.id, ['pending'], {
        status: 'paid',
        paymentId: '42',
        paymentTime: paidAt,
        updatedAt: paidAt,
      });
      await repos.orders.project(o.id, ['pending'], { status: 'cancelled', updatedAt: paidAt });
      expect(await repos.orders.findById(o.id)).toMatchObject({
        status: 'paid',
        paymentId: '42',
        paymentTime: paidAt,
      });
      expect(await repos.orders.findById(424242)).toBeNull();
      expect(await repos.orders.findByOrderNo('P2023070112000099999999')).toBeNull();
    });

    it('searches by status, user, order_no and created_at range, newest first, paged', async () => {
      const at = (min: number) => new Date(T0.getTime() + min * 60_000);
      const a = await repos.orders.create(anOrder({ userId: 1, createdAt: at(0) }));
      const b = await repos.orders.create(anOrder({ userId: 2, createdAt: at(10) }));
      const c = await repos.orders.create(anOrder({ userId: 1, createdAt: at(20) }));
      await repos.orders.project(b.id, ['pending'], { status: 'cancelled', updatedAt: at(30) });
      const ids = async (f: Parameters<typeof repos.orders.search>[0], skip = 0, limit = 10) =>
        (await repos.orders.search(f, { skip, limit })).map((o) => o.id);
      expect(await ids({})).toEqual([c.id, b.id, a.id]);
      expect(await ids({}, 1, 1)).toEqual([b.id]);
      expect(await ids({ status: 'pending' })).toEqual([c.id, a.id]);
      expect(await ids({ userId: 1, status: 'pending' })).toEqual([c.id, a.id]);
      expect(await ids({ userId: 2 })).toEqual([b.id]);
      expect(await ids({ orderNo: c.orderNo })).toEqual([c.id]);
      expect(await ids({ createdFrom: at(10) })).toEqual([c.id, b.id]);
      expect(await ids({ createdTo: at(10) })).toEqual([a.id]);
      expect(await ids({ createdFrom: at(5), createdTo: at(15) })).toEqual([b.id]);
      expect(await ids({ userId: 3 })).toEqual([]);
      expect(await repos.orders.search({ orderNo: a.orderNo }, { skip: 0, limit: 1 })).toEqual([a]);
    });

    it('lists an order stored in a final status under that status', async () => {
      const done = await repos.orders.create(anOrder({ status: 'completed', createdAt: T0 }));
      const gone = await repos.orders.create(anOrder({ status: 'cancelled', createdAt: T0 }));
      const page = { skip: 0, limit: 10 };
      expect((await repos.orders.search({ status: 'completed' }, page)).map((o) => o.id)).toEqual([done.id]);
      expect((await repos.orders.search({ status: 'cancelled' }, page)).map((o) => o.id)).toEqual([gone.id]);
    });

    // The Mongo store lists a long list hour by hour (hour-directory.ts): across days, hours, equal
    // timestamps, every status's path through the projection and every page, it must read as one sort.
    it('pages and streams every filter across days and hours as one newest-first sort would', async () => {
      const HOUR = 3_600_000;
      const paths: OrderStatus[][] = [
        [],
        ['paid'],
        ['paid', 'completed'],
        ['cancelled'],
        ['paid', 'completed', 'refunded'],
        ['cancelled', 'paid', 'completed'],
      ];
      const made: Order[] = [];
      for (let i = 0; i < 45; i++) {
        // Hours 0..~70 apart with gaps, several orders sharing one timestamp.
        const at = new Date(T0.getTime() + ((i * 7) % 71) * HOUR + (i % 3 === 0 ? 0 : (i % 5) * 60_000));
        const order = await repos.orders.create(anOrder({ createdAt: at, amountFen: i % 4 ? 990 : 1990 }));
        let status: OrderStatus = 'pending';
        for (const next of paths[i % paths.length] ?? []) {
          await repos.orders.project(order.id, [status], { status: next, updatedAt: at });
          status = next;
        }
        made.push({ ...order, status });
      }
      const expected = (f: OrderFilter) =>
        made
          .filter(
            (o) =>
              (f.status === undefined || o.status === f.status) &&
              (f.amountFen === undefined || o.amountFen === f.amountFen) &&
              (f.createdFrom === undefined || o.createdAt >= f.createdFrom) &&
              (f.createdTo === undefined || o.createdAt < f.createdTo),
          )
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
          .map((o) => o.id);
      const from = new Date(T0.getTime() + 20 * HOUR + 90_000);
      const to = new Date(T0.getTime() + 50 * HOUR);
      const filters: OrderFilter[] = [
        {},
        { status: 'completed' },
        { status: 'cancelled' },
        { status: 'refunded' },
        { status: 'pending' },
        { amountFen: 1990 },
        { amountFen: 990, status: 'completed' },
        { amountFen: 123 },
        { createdFrom: from },
        { createdTo: to },
        { createdFrom: from, createdTo: to, status: 'completed' },
      ];
      for (const f of filters)
        for (const [skip, limit] of [
          [0, 7],
          [5, 7],
          [17, 4],
          [40, 10],
          [0, 100],
        ] as const) {
          const got = (await repos.orders.search(f, { skip, limit })).map((o) => o.id);
          expect({ f, skip, got }).toEqual({ f, skip, got: expected(f).slice(skip, skip + limit) });
        }
      for (const f of filters) {
        const streamed: number[] = [];
        for await (const o of repos.orders.streamSearch(f)) streamed.push(o.id);
        expect({ f, streamed }).toEqual({ f, streamed: expected(f) });
      }
    });
  });
}
