export type Role = 'user' | 'admin';

export interface User {
  readonly id: number;
  readonly openid: string;
  readonly nickname: string | null;
  readonly avatarUrl: string | null;
  readonly role: Role;
  readonly isActive: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** 1 at creation, +1 per edit (role, is_active); an admin edit may name the version it was based on. */
  readonly version: number;
}
