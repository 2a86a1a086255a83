import type { Edit, UserPatch, Users } from '../../domain/ports';
import { err, ok } from '../../domain/result';
import { type EndedSession, NO_SESSIONS_ENDED, type User, withEndedSession } from '../../domain/user';

export class MemoryUsers implements Users {
  private readonly rows = new Map<number, User>();

  async findById(id: number): Promise<User | null> {
    return this.rows.get(id) ?? null;
  }

  async findByOpenid(openid: string): Promise<User | null> {
    return this.byOpenid(openid);
  }

  /** No await between the check and the insert: that is what makes it atomic here. */
  async ensure(openid: string, now: Date): Promise<{ user: User; created: boolean }> {
    const existing = this.byOpenid(openid);
    if (existing) return { user: existing, created: false };
    const user: User = {
      id: this.rows.size + 1,
      openid,
      nickname: null,
      avatarUrl: null,
      role: 'user',
      isActive: true,
      createdAt: now,
      updatedAt: now,
      version: 1,
      sessions: NO_SESSIONS_ENDED,
    };
    this.rows.set(user.id, user);
    return { user, created: true };
  }

  private byOpenid(openid: string): User | null {
    return [...this.rows.values()].find((u) => u.openid === openid) ?? null;
  }

  async *scan(): AsyncIterable<User> {
    yield* [...this.rows.values()];
  }

  async update(id: number, patch: UserPatch, now: Date, expectedVersion?: number): Promise<Edit<User>> {
    const user = this.rows.get(id);
    if (!user) return err({ kind: 'not_found' });
    if (expectedVersion !== undefined && expectedVersion !== user.version)
      return err({ kind: 'version_conflict', current: user.version });
    // Absent and `undefined` both mean "unchanged", as in the Mongo adapter's $set.
    const updated = {
      ...user,
      role: patch.role ?? user.role,
      isActive: patch.isActive ?? user.isActive,
      updatedAt: now,
      version: user.version + 1,
    };
    this.rows.set(id, updated);
    return ok(updated);
  }

  async endSessions(id: number, which: EndedSession | 'all', now: Date): Promise<User | null> {
    const user = this.rows.get(id);
    if (!user) return null;
    const one = which === 'all' ? null : withEndedSession(user.sessions, which, now);
    const sessions = one ?? { generation: user.sessions.generation + 1, ended: [] };
    const updated = { ...user, sessions, version: user.version + 1 };
    this.rows.set(id, updated);
    return updated;
  }
}
