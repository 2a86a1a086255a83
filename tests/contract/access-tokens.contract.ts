import { beforeEach, describe, expect, it } from 'bun:test';
import { T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

const at = (ms: number) => new Date(T0.getTime() + ms);
const gen = (generation: number, token = `tok-${generation}`, appid = 'wxapp') => ({
  appid,
  generation,
  token,
  fetchedAt: at(0),
  expiresAt: at(7_200_000),
});

export function accessTokenStoreContract(make: MakeRepositories) {
  describe('AccessTokenStore', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });

    it('answers the newest generation of an appid, and keeps the first writer of each', async () => {
      const store = repos.accessTokenStore;
      expect(await store.latest('wxapp')).toBeNull();
      expect(await store.save(gen(1))).toEqual({ generation: { ...gen(1), invalid: false }, created: true });
      expect(await store.save(gen(1, 'other'))).toEqual({
        generation: { ...gen(1), invalid: false },
        created: false,
      });
      await store.save(gen(2));
      await store.save(gen(7, 'tok-x', 'wxother'));
      expect(await store.latest('wxapp')).toEqual({ ...gen(2), invalid: false });
      expect((await store.latest('wxother'))?.generation).toBe(7);
    });

    it('one of 10 concurrent savers of a generation wins', async () => {
      const saved = await Promise.all(
        Array.from({ length: 10 }, (_, i) => repos.accessTokenStore.save(gen(3, `t${i}`))),
      );
      expect(saved.filter((s) => s.created)).toHaveLength(1);
      expect(new Set(saved.map((s) => s.generation.token)).size).toBe(1);
    });

    it('gives a generation’s lease to one of 10 concurrent callers; a lapsed lease is taken over once', async () => {
      const store = repos.accessTokenStore;
      const won = await Promise.all(
        Array.from({ length: 10 }, () => store.lease('wxapp', 5, at(0), at(15_000))),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await store.lease('wxapp', 5, at(14_999), at(30_000))).toBe(false);
      const after = await Promise.all(
        Array.from({ length: 10 }, () => store.lease('wxapp', 5, at(15_001), at(30_000))),
      );
      expect(after.filter(Boolean)).toHaveLength(1);
      expect(await store.lease('wxapp', 6, at(15_001), at(30_000))).toBe(true);
    });

    it('invalidates a generation only while it holds the given token', async () => {
      const store = repos.accessTokenStore;
      await store.save(gen(1));
      expect(await store.invalidate('wxapp', 1, 'not-it')).toBe(false);
      expect((await store.latest('wxapp'))?.invalid).toBe(false);
      expect(await store.invalidate('wxapp', 1, 'tok-1')).toBe(true);
      expect(await store.latest('wxapp')).toEqual({ ...gen(1), invalid: true });
      expect(await store.invalidate('wxapp', 9, 'tok-1')).toBe(false);
    });

    it('purges generations a day past their expiry, never a live one', async () => {
      const store = repos.accessTokenStore;
      await store.save(gen(1));
      await store.save({ ...gen(2), expiresAt: at(30 * 3600_000) });
      await store.purge(at(7_200_000 + 26 * 3600_000));
      expect((await store.latest('wxapp'))?.generation).toBe(2);
      // Generation 1 is gone: saving it again is a first insert.
      expect((await store.save(gen(1))).created).toBe(true);
      expect((await store.save(gen(2))).created).toBe(false);
    });
  });
}
