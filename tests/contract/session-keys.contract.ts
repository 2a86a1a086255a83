import { describe, expect, it } from 'bun:test';
import type { SessionKeys } from '../../src/domain/ports';
import { T0 } from '../support/builders';

/** Two handles on one store (two instances over one database; the same object for memory). */
export type MakeSessionKeys = () => Promise<{ a: SessionKeys; b: SessionKeys }>;

const at = (s: number) => new Date(T0.getTime() + s * 1000);

export function sessionKeysContract(make: MakeSessionKeys) {
  describe('SessionKeys', () => {
    it('has no key before the first login, then the newest of each user', async () => {
      const { a, b } = await make();
      expect(await a.latest(1)).toBeNull();
      await a.save(1, 'k1', at(1));
      await a.save(2, 'other-user', at(1));
      expect(await b.latest(1)).toBe('k1');
      await b.save(1, 'k2', at(2));
      expect(await a.latest(1)).toBe('k2');
      expect(await a.latest(2)).toBe('other-user');
    });

    it('keeps answering the newest over many logins (old versions are dropped behind it)', async () => {
      const { a } = await make();
      for (let i = 1; i <= 12; i++) await a.save(7, `k${i}`, at(i));
      expect(await a.latest(7)).toBe('k12');
    });

    it('concurrent logins on two instances: none is lost to an overwrite, and a later login still wins', async () => {
      const { a, b } = await make();
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).save(3, `c${i}`, at(i))));
      expect(await a.latest(3)).toMatch(/^c\d$/);
      await b.save(3, 'after', at(20));
      expect(await a.latest(3)).toBe('after');
    });
  });
}
