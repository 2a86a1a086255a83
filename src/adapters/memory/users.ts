import type { UserPatch, Users } from '../../domain/ports';
import type { User } from '../../domain/user';

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
    };
    this.rows.set(user.id, user);
    return { user, created: true };
  }

  private byOpenid(openid: string): User | null {
    return [...this.rows.values()].find((u) => u.openid === openid) ?? null;
  }

  async update(id: number, patch: UserPatch, now: Date): Promise<User | null> {
    const user = this.rows.get(id);
    if (!user) return null;
    // Absent and `undefined` both mean "unchanged", as in the Mongo adapter's $set.
    const updated = {
      ...user,
      role: patch.role ?? user.role,
      isActive: patch.isActive ?? user.isActive,
      updatedAt: now,
    };
    this.rows.set(id, updated);
    return updated;
  }
}
