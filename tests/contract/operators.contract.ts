import { beforeEach, describe, expect, it } from 'bun:test';
import type { OperatorAuditEntry } from '../../src/domain/operators/audit';
import type { OperatorSession } from '../../src/domain/operators/ports';
import { T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

const later = (ms: number) => new Date(T0.getTime() + ms);

export function operatorsContract(make: MakeRepositories) {
  describe('Operators', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });
    const alice = { username: 'alice', role: 'admin' as const, passwordHash: 'hash-a' };

    it('creates, finds by id and username, and lists by id', async () => {
      const created = await repos.operators.create(alice, T0);
      if (!created.ok) throw new Error('not created');
      expect(created.value).toMatchObject({
        ...alice,
        disabled: false,
        totpSecret: null,
        sessionGeneration: 0,
        version: 1,
      });
      expect(await repos.operators.findById(created.value.id)).toEqual(created.value);
      expect(await repos.operators.findByUsername('alice')).toEqual(created.value);
      expect(await repos.operators.findByUsername('bob')).toBeNull();
      await repos.operators.create({ ...alice, username: 'bob' }, T0);
      await repos.operators.create({ ...alice, username: 'carol' }, T0);
      const page = (skip: number) =>
        repos.operators.list({ skip, limit: 2 }).then((l) => l.map((o) => o.username));
      expect(await page(0)).toEqual(['alice', 'bob']);
      expect(await page(2)).toEqual(['carol']);
    });

    it('takes a username once, whatever the concurrency', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => repos.operators.create({ ...alice, passwordHash: `h${i}` }, T0)),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error)).toEqual(
        Array(7).fill({ kind: 'username_taken' }),
      );
    });

    it('edits as versions: role, disabled, hash, TOTP secret, session generation; conflicts and unknown ids', async () => {
      const created = await repos.operators.create(alice, T0);
      if (!created.ok) throw new Error('not created');
      const id = created.value.id;
      const edited = await repos.operators.update(
        id,
        { role: 'viewer', totpSecret: 'SECRET', endSessions: true },
        later(1000),
      );
      expect(edited.ok && edited.value).toMatchObject({
        role: 'viewer',
        totpSecret: 'SECRET',
        sessionGeneration: 1,
        version: 2,
        updatedAt: later(1000),
      });
      expect(await repos.operators.update(id, { disabled: true }, T0, 1)).toEqual({
        ok: false,
        error: { kind: 'version_conflict', current: 2 },
      });
      const cleared = await repos.operators.update(
        id,
        { totpSecret: null, passwordHash: 'hash-b', disabled: true },
        T0,
        2,
      );
      expect(cleared.ok && cleared.value).toMatchObject({
        totpSecret: null,
        passwordHash: 'hash-b',
        disabled: true,
        role: 'viewer',
        sessionGeneration: 1,
      });
      expect(await repos.operators.findById(id)).toMatchObject({ version: 3, disabled: true });
      expect(await repos.operators.update(id + 1000, { disabled: true }, T0)).toEqual({
        ok: false,
        error: { kind: 'not_found' },
      });
    });

    it('loses no concurrent session ending', async () => {
      const created = await repos.operators.create(alice, T0);
      if (!created.ok) throw new Error('not created');
      await Promise.all(
        Array.from({ length: 5 }, () => repos.operators.update(created.value.id, { endSessions: true }, T0)),
      );
      expect((await repos.operators.findById(created.value.id))?.sessionGeneration).toBe(5);
    });
  });

  describe('OperatorSessions', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });
    const session = (digest: string, expiresAt = later(3600_000)): OperatorSession => ({
      digest,
      operatorId: 7,
      generation: 2,
      createdAt: T0,
      expiresAt,
    });

    it('starts, finds and ends sessions by digest; ending twice is harmless', async () => {
      await repos.operatorSessions.start(session('d1'));
      expect(await repos.operatorSessions.find('d1')).toEqual({ session: session('d1'), ended: false });
      expect(await repos.operatorSessions.find('d2')).toBeNull();
      await repos.operatorSessions.end('d1', later(10), later(3600_000));
      await repos.operatorSessions.end('d1', later(20), later(3600_000));
      expect(await repos.operatorSessions.find('d1')).toEqual({ session: session('d1'), ended: true });
    });

    it('forgets records past their expiry', async () => {
      await repos.operatorSessions.start(session('old', later(60_000)));
      await repos.operatorSessions.start(session('new', later(24 * 3600_000)));
      await repos.operatorSessions.end('old', T0, later(60_000));
      await repos.operatorSessions.purge(later(10 * 60_000));
      expect(await repos.operatorSessions.find('old')).toBeNull();
      expect(await repos.operatorSessions.find('new')).not.toBeNull();
    });
  });

  describe('LoginLocks', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });

    it('takes each level of a key and period once and lists them', async () => {
      const lock = { key: 'user:alice', period: 'd1', level: 1, until: later(60_000) };
      const added = await Promise.all(
        Array.from({ length: 5 }, () => repos.loginLocks.add(lock, later(86_400_000))),
      );
      expect(added.filter(Boolean)).toHaveLength(1);
      await repos.loginLocks.add({ ...lock, level: 2, until: later(120_000) }, later(86_400_000));
      await repos.loginLocks.add({ ...lock, key: 'user:bob' }, later(86_400_000));
      await repos.loginLocks.add({ ...lock, period: 'd2' }, later(86_400_000));
      const listed = await repos.loginLocks.list('user:alice', 'd1');
      expect(listed.sort((a, b) => a.level - b.level)).toEqual([
        lock,
        { ...lock, level: 2, until: later(120_000) },
      ]);
    });

    it('forgets locks after their forget time', async () => {
      await repos.loginLocks.add({ key: 'k', period: 'p', level: 1, until: later(60_000) }, later(120_000));
      await repos.loginLocks.purge(later(10 * 60_000));
      expect(await repos.loginLocks.list('k', 'p')).toEqual([]);
    });
  });

  describe('OperatorAudit', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });
    const entry = (id: string, o: Partial<OperatorAuditEntry> = {}): OperatorAuditEntry => ({
      id,
      at: T0,
      day: '2023-07-01',
      hour: 12,
      actor: { id: 1, username: 'alice' },
      ip: '10.0.0.1',
      action: 'operator.role_changed',
      target: { kind: 'operator', id: '2' },
      before: { role: 'viewer', nested: { at: 'x' } },
      after: { role: 'admin' },
      reason: '升级',
      ...o,
    });

    it('stores entries as given, once per id', async () => {
      await repos.operatorAudit.record(entry('a'));
      await repos.operatorAudit.record(entry('a', { action: 'other' }));
      await repos.operatorAudit.record(
        entry('b', { actor: { id: null, username: 'ghost' }, before: null, after: null, reason: null }),
      );
      const { entries } = await repos.operatorAudit.listDay({ day: '2023-07-01' }, { skip: 0, limit: 10 });
      expect([...entries].sort((x, y) => x.id.localeCompare(y.id))).toEqual([
        entry('a'),
        entry('b', { actor: { id: null, username: 'ghost' }, before: null, after: null, reason: null }),
      ]);
    });

    it('lists a day newest first, paged, narrowed by actor and target', async () => {
      await repos.operatorAudit.record(entry('e1', { at: later(1000), hour: 9 }));
      await repos.operatorAudit.record(
        entry('e2', { at: later(2000), hour: 9, actor: { id: 2, username: 'bob' } }),
      );
      await repos.operatorAudit.record(
        entry('e3', { at: later(3000), hour: 15, target: { kind: 'order', id: '5' } }),
      );
      await repos.operatorAudit.record(entry('e4', { at: later(4000), day: '2023-07-02', hour: 0 }));
      const ids = async (q: Parameters<Repositories['operatorAudit']['listDay']>[0], skip = 0, limit = 10) =>
        (await repos.operatorAudit.listDay(q, { skip, limit })).entries.map((e) => e.id);
      expect(await ids({ day: '2023-07-01' })).toEqual(['e3', 'e2', 'e1']);
      expect(await ids({ day: '2023-07-01' }, 1, 1)).toEqual(['e2']);
      expect(await ids({ day: '2023-07-01', actorId: 1 })).toEqual(['e3', 'e1']);
      expect(await ids({ day: '2023-07-01', target: { kind: 'order', id: '5' } })).toEqual(['e3']);
      expect(await ids({ day: '2023-07-02' })).toEqual(['e4']);
      const byTarget = await repos.operatorAudit.byTarget(
        { kind: 'operator', id: '2' },
        { skip: 0, limit: 10 },
      );
      expect(byTarget.entries.map((e) => e.id)).toEqual(['e4', 'e2', 'e1']);
      const byActor = await repos.operatorAudit.byActor(2, { skip: 0, limit: 10 });
      expect(byActor).toEqual({
        entries: [entry('e2', { at: later(2000), hour: 9, actor: { id: 2, username: 'bob' } })],
        truncated: false,
      });
    });
  });
}
