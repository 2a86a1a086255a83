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
  /** 1 at creation, +1 per edit (role, is_active, ended sessions); an admin edit may name the version it was based on. */
  readonly version: number;
  /** Which of the user's tokens are still good; read with the user on every request. */
  readonly sessions: Sessions;
}

/** A session ended on its own (logout), remembered until its tokens would have expired anyway. */
export interface EndedSession {
  readonly id: string;
  readonly until: Date;
}

export interface Sessions {
  /** Tokens name the generation they were issued in; "log out everywhere" and disabling move it on. */
  readonly generation: number;
  readonly ended: readonly EndedSession[];
}

export const NO_SESSIONS_ENDED: Sessions = { generation: 0, ended: [] };

/** Sessions ended one by one that a user record keeps; beyond that, every session is ended at once. */
export const MAX_ENDED_SESSIONS = 20;

/**
 * Whether a token of generation `generation` (absent on tokens issued before generations existed:
 * 0) and session `sid` (absent likewise) is still good for this user at `now`.
 */
export function tokenAlive(user: User, token: { generation?: number; sid?: string }, now: Date): boolean {
  if ((token.generation ?? 0) !== user.sessions.generation) return false;
  const sid = token.sid;
  return sid === undefined || !user.sessions.ended.some((e) => e.id === sid && e.until > now);
}

/**
 * The ended-session list after ending `session`: entries past their `until` are dropped; null when the
 * list would grow beyond MAX_ENDED_SESSIONS (end every session instead).
 */
export function withEndedSession(sessions: Sessions, session: EndedSession, now: Date): Sessions | null {
  const kept = sessions.ended.filter((e) => e.until > now && e.id !== session.id);
  if (kept.length >= MAX_ENDED_SESSIONS) return null;
  return { generation: sessions.generation, ended: [...kept, session] };
}
