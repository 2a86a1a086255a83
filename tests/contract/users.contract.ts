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

    it('starts every user with generation 0 and no ended sessions', async () => {
      const { user } = await repos.users.ensure('o-fresh', T0);
      expect(user.sessions).toEqual({ generation: 0, ended: [] });
    });

    it('ends one session, then every session', async () => {
      const { user } = await repos.users.ensure('o-sessions', T0);
      const until = new Date(T0.getTime() + 3600_000);
      const one = await repos.users.endSessions(user.id, { id: 's1', until }, T0);
      expect(one?.sessions).toEqual({ generation: 0, ended: [{ id: 's1', until }] });
      const again = await repos.users.endSessions(user.id, { id: 's1', until }, T0);
      expect(again?.sessions).toEqual({ generation: 0, ended: [{ id: 's1', until }] });
      const all = await repos.users.endSessions(user.id, 'all', T0);
      expect(all?.sessions).toEqual({ generation: 1, ended: [] });
      expect((await repos.users.findById(user.id))?.sessions).toEqual({ generation: 1, ended: [] });
      expect(await repos.users.endSessions(999_999, 'all', T0)).toBeNull();
    });

    it('forgets ended sessions past their end, and ends all once 20 are remembered', async () => {
      const { user } = await repos.users.ensure('o-many', T0);
      const later = (s: number) => new Date(T0.getTime() + s * 1000);
      await repos.users.endSessions(user.id, { id: 'short', until: later(10) }, T0);
      await repos.users.endSessions(user.id, { id: 'x0', until: later(3600) }, later(20));
      expect((await repos.users.findById(user.id))?.sessions.ended.map((e) => e.id)).toEqual(['x0']);
      for (let i = 1; i < 20; i++)
        await repos.users.endSessions(user.id, { id: `x${i}`, until: later(3600) }, later(20));
      expect((await repos.users.findById(user.id))?.sessions.ended).toHaveLength(20);
      const overflow = await repos.users.endSessions(user.id, { id: 'x20', until: later(3600) }, later(20));
      expect(overflow?.sessions).toEqual({ generation: 1, ended: [] });
    });

    it('keeps every session ended by 10 concurrent logouts', async () => {
      const { user } = await repos.users.ensure('o-race', T0);
      const until = new Date(T0.getTime() + 3600_000);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => repos.users.endSessions(user.id, { id: `r${i}`, until }, T0)),
      );
      const s = (await repos.users.findById(user.id))!.sessions;
      // Either every logout is listed or one of them had to end every session: none is lost.
      if (s.generation === 0)
        expect(s.ended.map((e) => e.id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`).sort());
      else expect(s.generation).toBeGreaterThan(0);
    });
  });
}
