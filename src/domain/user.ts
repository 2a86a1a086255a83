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
}
