import { beforeEach, describe, expect, it } from 'bun:test';
import { T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

export function usersContract(make: MakeRepositories) {
  describe('Users', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });

    it('creates a user on first ensure and returns the same one afterwards', async () => {
      const first = await repos.users.ensure('o-alice', T0);
      expect(first.created).toBe(true);
      expect(first.user).toMatchObject({ openid: 'o-alice', role: 'user', isActive: true, createdAt: T0 });
      const again = await repos.users.ensure('o-alice', T0);
      expect(again).toEqual({ user: first.user, created: false });
      expect(await repos.users.findById(first.user.id)).toEqual(first.user);
      expect(await repos.users.findByOpenid('o-alice')).toEqual(first.user);
    });

    it('creates exactly one user under 20 concurrent first logins', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => repos.users.ensure('o-bob', T0)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.user.id)).size).toBe(1);
    });

    it('gives different users different integer ids', async () => {
      const a = await repos.users.ensure('o-a', T0);
      const b = await repos.users.ensure('o-b', T0);
      expect(Number.isInteger(a.user.id)).toBe(true);
      expect(a.user.id).not.toBe(b.user.id);
      expect(await repos.users.findById(999_999)).toBeNull();
    });

    it('updates role and is_active, returns the stored user, null for an unknown id', async () => {
      const { user } = await repos.users.ensure('o-admin', T0);
      const later = new Date(T0.getTime() + 60_000);
      const admin = await repos.users.update(user.id, { role: 'admin' }, later);
      expect(admin).toEqual({ ...user, role: 'admin', updatedAt: later });
      const disabled = await repos.users.update(user.id, { isActive: false, role: undefined }, later);
      expect(disabled).toEqual({ ...user, role: 'admin', isActive: false, updatedAt: later });
      expect(await repos.users.findById(user.id)).toEqual(disabled);
      expect(await repos.users.findByOpenid('o-admin')).toEqual(disabled);
      expect(await repos.users.update(999_999, { role: 'admin' }, later)).toBeNull();
    });
  });
}
