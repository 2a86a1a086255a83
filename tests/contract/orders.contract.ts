import { beforeEach, describe, expect, it } from 'bun:test';
import { anOrder, T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

export function ordersContract(make: MakeRepositories) {
  describe('Orders', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
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
  });
}
