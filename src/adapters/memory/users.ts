import type { Users } from '../../domain/ports';
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

  /** Test and admin seam: change a stored user (role, is_active). */
  async update(id: number, patch: Partial<Pick<User, 'role' | 'isActive'>>): Promise<void> {
    const user = this.rows.get(id);
    if (user) this.rows.set(id, { ...user, ...patch });
  }
}
