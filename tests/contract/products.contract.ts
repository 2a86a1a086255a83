import { beforeEach, describe, expect, it } from 'bun:test';
import { err, ok } from '../../src/domain/result';
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
        version: 1,
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
        version: 1,
      });
      expect((await repos.products.findById(1))?.credits).toBe(100);
    });

    it('updates only the given fields as a new version, not_found for an unknown id', async () => {
      await repos.products.seed([aProduct({ id: 3 })], T0);
      const later = new Date(T0.getTime() + 60_000);
      const updated = await repos.products.update(
        3,
        { priceFen: 880, isActive: false, imageUrl: null },
        later,
      );
      const expected = {
        ...aProduct({ id: 3, priceFen: 880, isActive: false, imageUrl: null }),
        createdAt: T0,
        updatedAt: later,
        version: 2,
      };
      expect(updated).toEqual(ok(expected));
      expect(await repos.products.findById(3)).toEqual(expected);
      expect(await repos.products.listActive({ skip: 0, limit: 10 })).toEqual([]);
      expect(await repos.products.update(99, { name: 'x' }, later)).toEqual(err({ kind: 'not_found' }));
    });

    it('applies an edit only to the version it names, else reports the current one', async () => {
      await repos.products.seed([aProduct({ id: 4 })], T0);
      expect(await repos.products.update(4, { name: 'a' }, T0, 2)).toEqual(
        err({ kind: 'version_conflict', current: 1 }),
      );
      expect((await repos.products.update(4, { name: 'a' }, T0, 1)).ok).toBe(true);
      expect(await repos.products.update(4, { name: 'b' }, T0, 1)).toEqual(
        err({ kind: 'version_conflict', current: 2 }),
      );
      expect(await repos.products.findById(4)).toMatchObject({ name: 'a', version: 2 });
    });

    it('lets exactly one of 8 concurrent edits of the same version win', async () => {
      await repos.products.seed([aProduct({ id: 5 })], T0);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => repos.products.update(5, { sortOrder: i + 10 }, T0, 1)),
      );
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      expect(await repos.products.findById(5)).toEqual(winners[0]!.ok ? winners[0]!.value : null);
    });

    // FerretDB rewrites the whole document on every $set: 60 of 60 such pairs lost one edit.
    it('keeps every one of concurrent edits to different fields', async () => {
      const ids = [11, 12, 13, 14, 15, 16];
      await repos.products.seed(
        ids.map((id) => aProduct({ id })),
        T0,
      );
      await Promise.all(
        ids.flatMap((id) => [
          repos.products.update(id, { name: `n${id}` }, T0),
          repos.products.update(id, { priceFen: id * 100 }, T0),
          repos.products.update(id, { sortOrder: id }, T0),
        ]),
      );
      for (const id of ids)
        expect(await repos.products.findById(id)).toMatchObject({
          name: `n${id}`,
          priceFen: id * 100,
          sortOrder: id,
          version: 4,
        });
    });
  });
}
