import { beforeEach, describe, expect, it } from 'bun:test';
import { err, ok } from '../../src/domain/result';
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

    it('updates role and is_active as new versions, returns the stored user, not_found for an unknown id', async () => {
      const { user } = await repos.users.ensure('o-admin', T0);
      expect(user.version).toBe(1);
      const later = new Date(T0.getTime() + 60_000);
      const admin = await repos.users.update(user.id, { role: 'admin' }, later);
      expect(admin).toEqual(ok({ ...user, role: 'admin', updatedAt: later, version: 2 }));
      const disabled = await repos.users.update(user.id, { isActive: false, role: undefined }, later, 2);
      const expected = { ...user, role: 'admin' as const, isActive: false, updatedAt: later, version: 3 };
      expect(disabled).toEqual(ok(expected));
      expect(await repos.users.findById(user.id)).toEqual(expected);
      expect(await repos.users.findByOpenid('o-admin')).toEqual(expected);
      expect(await repos.users.update(999_999, { role: 'admin' }, later)).toEqual(err({ kind: 'not_found' }));
    });

    it('refuses an edit based on an old version, and keeps both of two concurrent edits', async () => {
      const { user } = await repos.users.ensure('o-versioned', T0);
      const stale = await repos.users.update(user.id, { role: 'admin' }, T0, 7);
      expect(stale).toEqual(err({ kind: 'version_conflict', current: 1 }));
      await Promise.all([
        repos.users.update(user.id, { role: 'admin' }, T0),
        repos.users.update(user.id, { isActive: false }, T0),
      ]);
      expect(await repos.users.findById(user.id)).toMatchObject({
        role: 'admin',
        isActive: false,
        version: 3,
      });
    });
  });
}
