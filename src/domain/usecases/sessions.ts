import type { DomainError } from '../errors';
import { err, ok, type Result } from '../result';
import { tokenAlive, type User } from '../user';
import { activeUser } from './auth';
import type { Deps } from './deps';

/** What a verified token says about its session. */
export interface TokenSession {
  readonly userId: number;
  /** Absent on tokens issued before generations existed (generation 0). */
  readonly generation?: number;
  /** Absent on tokens issued before sessions had ids: such a token can only end every session. */
  readonly sid?: string;
  /** When the session ends by itself (its last token expires). */
  readonly endsAt: Date;
}

/** The active user behind a token whose session has not been ended (logout, logout everywhere, disable). */
export function sessionUser(deps: Pick<Deps, 'users' | 'clock'>) {
  return async (token: TokenSession): Promise<Result<User, DomainError>> => {
    const user = await activeUser(deps)(token.userId);
    if (!user.ok) return user;
    return tokenAlive(user.value, token, deps.clock.now()) ? user : err({ kind: 'session_ended' });
  };
}

/** Logout: this session's tokens stop working at once; the user's other sessions go on. */
export function endSession(deps: Pick<Deps, 'users' | 'clock'>) {
  return async (token: TokenSession): Promise<Result<void, DomainError>> => {
    const which = token.sid === undefined ? 'all' : { id: token.sid, until: token.endsAt };
    const ended = await deps.users.endSessions(token.userId, which, deps.clock.now());
    return ended ? ok(undefined) : err({ kind: 'user_not_found' });
  };
}

/** Log out everywhere: every token the user holds stops working at once. */
export function endAllSessions(deps: Pick<Deps, 'users' | 'clock'>) {
  return async (userId: number): Promise<Result<void, DomainError>> => {
    const ended = await deps.users.endSessions(userId, 'all', deps.clock.now());
    return ended ? ok(undefined) : err({ kind: 'user_not_found' });
  };
}

/**
 * A refresh: the session must still be alive, and each refresh token works once (its number `n` is
 * claimed by a unique insert). A second use means the token was copied: the session is ended, so
 * neither the thief's nor the owner's copy works any more, and the owner logs in again.
 */
export function refreshSession(deps: Pick<Deps, 'users' | 'onceKeys' | 'clock'>) {
  return async (
    token: TokenSession & { readonly sid: string; readonly n: number },
  ): Promise<Result<User, DomainError>> => {
    const user = await sessionUser(deps)(token);
    if (!user.ok) return user;
    const use = await deps.onceKeys.claim(`refresh:${token.sid}:${token.n}`, token.endsAt);
    if (use.first) return user;
    await deps.users.endSessions(token.userId, { id: token.sid, until: token.endsAt }, deps.clock.now());
    return err({ kind: 'session_ended' });
  };
}
