import type { LoginLock } from './ports';

/**
 * Failed logins per key (a username, a client address): `failures` within one fixed window of
 * `windowSeconds` lock the key for `firstLockSeconds`; every further lock in the same back-off
 * period doubles it, up to `maxLockSeconds`.
 */
export interface LockoutPolicy {
  readonly failures: number;
  readonly windowSeconds: number;
  readonly firstLockSeconds: number;
  readonly maxLockSeconds: number;
}

export const USERNAME_LOCKOUT: LockoutPolicy = {
  failures: 5,
  windowSeconds: 15 * 60,
  firstLockSeconds: 60,
  maxLockSeconds: 3600,
};

/** A whole office may sit behind one address: more room than per username, same back-off. */
export const ADDRESS_LOCKOUT: LockoutPolicy = { ...USERNAME_LOCKOUT, failures: 20 };

/** Back-off levels count up within one UTC day; the next day starts again at the first lock. */
export const BACKOFF_PERIOD_MS = 24 * 3600 * 1000;

export const backoffPeriod = (now: Date): string => `d${Math.floor(now.getTime() / BACKOFF_PERIOD_MS)}`;

/** When the period's records may be forgotten: its end plus the longest lock that can start in it. */
export const backoffForgetAt = (now: Date, policy: LockoutPolicy): Date =>
  new Date(
    (Math.floor(now.getTime() / BACKOFF_PERIOD_MS) + 1) * BACKOFF_PERIOD_MS + policy.maxLockSeconds * 1000,
  );

export const lockSeconds = (policy: LockoutPolicy, level: number): number =>
  Math.min(policy.maxLockSeconds, policy.firstLockSeconds * 2 ** Math.min(level - 1, 30));

/** The lock in force at `now` (the one ending last), or null. */
export function lockInForce(locks: readonly LoginLock[], now: Date): LoginLock | null {
  let found: LoginLock | null = null;
  for (const lock of locks) if (lock.until > now && (!found || lock.until > found.until)) found = lock;
  return found;
}

/** The next lock of a key whose period holds `locks`. */
export function nextLock(
  key: string,
  period: string,
  locks: readonly LoginLock[],
  policy: LockoutPolicy,
  now: Date,
): LoginLock {
  const level = locks.reduce((max, l) => Math.max(max, l.level), 0) + 1;
  return { key, period, level, until: new Date(now.getTime() + lockSeconds(policy, level) * 1000) };
}
