import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Operator } from '../../domain/operators/operator';
import type { OperatorSession } from '../../domain/operators/ports';
import type { AppDeps } from '../http/context';

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** 43 base64url characters = 258 random bits (as 32 random bytes, base64url-encoded). */
const TOKEN_LENGTH = 43;

export type SessionDeps = Pick<AppDeps, 'operators' | 'operatorSessions' | 'clock' | 'random' | 'console'>;

export const newToken = (deps: Pick<AppDeps, 'random'>): string =>
  deps.random.string(TOKEN_LENGTH, TOKEN_ALPHABET);

/** What the session record is stored under: the cookie's token never reaches the database. */
export const tokenDigest = (token: string): string => createHash('sha256').update(token).digest('base64url');

const mac = (key: string, purpose: string, value: string): string =>
  createHmac('sha256', key).update(`${purpose}\n${value}`).digest('base64url');

/** The CSRF token of a session: bound to it, so a token from another session is worthless. */
export const sessionCsrf = (key: string, digest: string): string => mac(key, 'csrf-session', digest);

/** The login form's token: bound to the pre-session cookie's value (double submit). */
export const loginCsrf = (key: string, cookieValue: string): string => mac(key, 'csrf-login', cookieValue);

/** Constant time for equal lengths (a token's length is no secret). */
export function sameToken(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface ActiveSession {
  readonly operator: Operator;
  readonly digest: string;
  readonly csrf: string;
  readonly expiresAt: Date;
}

/** Starts a session for `operator`: the token for the cookie; the record holds only its digest. */
export async function startSession(
  deps: SessionDeps,
  operator: Operator,
): Promise<{ token: string; session: OperatorSession }> {
  const token = newToken(deps);
  const now = deps.clock.now();
  const session: OperatorSession = {
    digest: tokenDigest(token),
    operatorId: operator.id,
    generation: operator.sessionGeneration,
    createdAt: now,
    expiresAt: new Date(now.getTime() + deps.console.sessionHours * 3600_000),
  };
  await deps.operatorSessions.start(session);
  return { token, session };
}

/**
 * The session a cookie names, if it is still good: known, not ended, not expired, and its operator
 * exists, is enabled and has not had its sessions ended since (password reset, disabling). The
 * operator is read afresh on every request, so a role change applies to the very next one.
 */
export async function resolveSession(deps: SessionDeps, token: string | null): Promise<ActiveSession | null> {
  if (!token || token.length !== TOKEN_LENGTH) return null;
  const digest = tokenDigest(token);
  const found = await deps.operatorSessions.find(digest);
  if (!found || found.ended || found.session.expiresAt <= deps.clock.now()) return null;
  const operator = await deps.operators.findById(found.session.operatorId);
  if (!operator || operator.disabled || operator.sessionGeneration !== found.session.generation) return null;
  return {
    operator,
    digest,
    csrf: sessionCsrf(deps.console.csrfKey, digest),
    expiresAt: found.session.expiresAt,
  };
}

export const endSession = (deps: SessionDeps, session: ActiveSession): Promise<void> =>
  deps.operatorSessions.end(session.digest, deps.clock.now(), session.expiresAt);
