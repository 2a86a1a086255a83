import { beforeEach, describe, expect, it } from 'bun:test';
import { aProduct, T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

export function productsContract(make: MakeRepositories) {
  describe('Products', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });

    it('seeds each id once, even when seeded twice concurrently', async () => {
      const list = [aProduct({ id: 1 }), aProduct({ id: 2, name: '500积分套餐', sortOrder: 2 })];
      const counts = await Promise.all([repos.products.seed(list, T0), repos.products.seed(list, T0)]);
      expect(counts[0]! + counts[1]!).toBe(2);
      expect(await repos.products.seed(list, T0)).toBe(0);
    });

    it('lists active products by sort order then id, paged', async () => {
      await repos.products.seed(
        [
          aProduct({ id: 1, sortOrder: 2 }),
          aProduct({ id: 2, sortOrder: 1 }),
          aProduct({ id: 3, sortOrder: 1 }),
          aProduct({ id: 4, sortOrder: 0, isActive: false }),
        ],
        T0,
      );
      const all = await repos.products.listActive({ skip: 0, limit: 10 });
      expect(all.map((p) => p.id)).toEqual([2, 3, 1]);
      const page = await repos.products.listActive({ skip: 1, limit: 1 });
      expect(page.map((p) => p.id)).toEqual([3]);
      expect((await repos.products.listAll({ skip: 0, limit: 10 })).map((p) => p.id)).toEqual([4, 2, 3, 1]);
      expect((await repos.products.listAll({ skip: 3, limit: 10 })).map((p) => p.id)).toEqual([1]);
    });

    it('finds by id with every field round-tripped, null when missing', async () => {
      await repos.products.seed([aProduct({ id: 7, imageUrl: null })], T0);
      expect(await repos.products.findById(7)).toEqual({
        ...aProduct({ id: 7, imageUrl: null }),
        createdAt: T0,
        updatedAt: T0,
      });
      expect(await repos.products.findById(8)).toBeNull();
    });

    it('creates with fresh integer ids past the seeded ones, also concurrently', async () => {
      await repos.products.seed([aProduct({ id: 1 }), aProduct({ id: 2 })], T0);
      const { id: _id, ...draft } = aProduct({ name: '1000积分套餐', credits: 1000, priceFen: 6990 });
      const created = await Promise.all(Array.from({ length: 5 }, () => repos.products.create(draft, T0)));
      const ids = created.map((p) => p.id);
      expect(new Set(ids).size).toBe(5);
      for (const id of ids) expect(id === 1 || id === 2 || !Number.isInteger(id)).toBe(false);
      expect(await repos.products.findById(created[0]!.id)).toEqual({
        ...draft,
        id: created[0]!.id,
        createdAt: T0,
        updatedAt: T0,
      });
      expect((await repos.products.findById(1))?.credits).toBe(100);
    });

    it('updates only the given fields, null for an unknown id', async () => {
      await repos.products.seed([aProduct({ id: 3 })], T0);
      const later = new Date(T0.getTime() + 60_000);
      const updated = await repos.products.update(
        3,
        { priceFen: 880, isActive: false, imageUrl: null },
        later,
      );
      expect(updated).toEqual({
        ...aProduct({ id: 3, priceFen: 880, isActive: false, imageUrl: null }),
        createdAt: T0,
        updatedAt: later,
      });
      expect(await repos.products.findById(3)).toEqual(updated);
      expect(await repos.products.listActive({ skip: 0, limit: 10 })).toEqual([]);
      expect(await repos.products.update(99, { name: 'x' }, later)).toBeNull();
    });
  });
}
