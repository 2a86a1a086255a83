import type { OperatorDeps } from './deps';
import {
  ADDRESS_LOCKOUT,
  backoffForgetAt,
  backoffPeriod,
  type LockoutPolicy,
  lockInForce,
  nextLock,
  USERNAME_LOCKOUT,
} from './lockout';
import { MAX_PASSWORD_LENGTH, normalizeUsername, type Operator } from './operator';
import { recordAudit } from './record';
import { matchingStep, TOTP_STEP_SECONDS, TOTP_WINDOW } from './totp';

export interface LoginAttempt {
  readonly username: string;
  readonly password: string;
  /** The TOTP code; required when the operator enrolled one. */
  readonly code?: string;
  readonly ip: string;
}

/**
 * One answer for every failure — unknown username, wrong password, wrong or reused code, disabled,
 * locked — so a login form tells an attacker nothing about which it was.
 */
export type LoginOutcome = { ok: true; operator: Operator } | { ok: false };

export interface LoginPolicies {
  readonly username: LockoutPolicy;
  readonly address: LockoutPolicy;
}

const DEFAULT_POLICIES: LoginPolicies = { username: USERNAME_LOCKOUT, address: ADDRESS_LOCKOUT };

export const loginOperator = (deps: OperatorDeps, policies: LoginPolicies = DEFAULT_POLICIES) => {
  const audit = recordAudit(deps);
  /**
   * Verified against when the username is unknown, so an unknown name costs the same hashing time as
   * a wrong password (argon2id, as every real hash).
   */
  let decoy: Promise<string> | undefined;
  const decoyHash = () => {
    if (!decoy) decoy = deps.passwordHasher.hash(deps.random.string(24, 'abcdefghijklmnop'));
    return decoy;
  };
  const keys = (username: string, ip: string) =>
    [
      { key: `operator-login:user:${username}`, policy: policies.username },
      { key: `operator-login:ip:${ip}`, policy: policies.address },
    ] as const;

  return async (attempt: LoginAttempt): Promise<LoginOutcome> => {
    const now = deps.clock.now();
    const username = normalizeUsername(attempt.username).slice(0, 64);
    const period = backoffPeriod(now);
    const limited = keys(username, attempt.ip);
    const locks = await Promise.all(limited.map((k) => deps.loginLocks.list(k.key, period)));
    const operator = await deps.operators.findByUsername(username);
    const actor = { id: operator?.id ?? null, username };
    const target = { kind: 'operator' as const, id: operator ? String(operator.id) : username };

    if (locks.some((l) => lockInForce(l, now) !== null)) {
      // Refused without looking at the password: a lock holds even against the right one.
      await audit(actor, attempt.ip, { action: 'login.refused_locked', target });
      return { ok: false };
    }

    const passwordOk =
      attempt.password.length <= MAX_PASSWORD_LENGTH &&
      (operator
        ? await deps.passwordHasher.verify(attempt.password, operator.passwordHash)
        : await deps.passwordHasher.verify(attempt.password, await decoyHash()));
    const failure = !operator
      ? 'unknown_username'
      : !passwordOk
        ? 'wrong_password'
        : operator.disabled
          ? 'disabled'
          : operator.totpSecret !== null && !(await codeAccepted(deps, operator, attempt.code ?? '', now))
            ? 'wrong_code'
            : null;

    if (operator && failure === null) {
      await audit(actor, attempt.ip, { action: 'login.succeeded', target });
      return { ok: true, operator };
    }
    await audit(actor, attempt.ip, { action: 'login.failed', target, reason: failure });
    for (const [i, k] of limited.entries()) {
      const lock = await countFailure(deps, k.key, k.policy, locks[i] ?? [], period, now);
      if (lock)
        await audit(actor, attempt.ip, {
          action: 'login.locked',
          target,
          after: { key: i === 0 ? 'username' : 'ip', level: lock.level, until: lock.until.toISOString() },
        });
    }
    return { ok: false };
  };
};

/**
 * Takes one failure slot of the key's window; once the window is full, the failure locks the key at
 * the next level of the period. Concurrent failures race for the same level: one insert wins.
 */
async function countFailure(
  deps: OperatorDeps,
  key: string,
  policy: LockoutPolicy,
  locks: Parameters<typeof nextLock>[2],
  period: string,
  now: Date,
) {
  const took = await deps.rateWindows.take(key, policy.failures, policy.windowSeconds, now);
  const full = !took || (await deps.rateWindows.exhausted(key, policy.failures, policy.windowSeconds, now));
  if (!full) return null;
  const lock = nextLock(key, period, locks, policy, now);
  return (await deps.loginLocks.add(lock, backoffForgetAt(now, policy))) ? lock : null;
}

/** A code for the operator's secret, within the window, whose step was never used before. */
export async function codeAccepted(
  deps: Pick<OperatorDeps, 'onceKeys'>,
  operator: Operator,
  code: string,
  now: Date,
  secret: string | null = operator.totpSecret,
): Promise<boolean> {
  if (secret === null) return false;
  const step = matchingStep(secret, code.replace(/\s/g, ''), now);
  if (step === null) return false;
  // A code seen once (an observer, a replayed form) is worthless afterwards: one unique insert per step.
  const until = new Date((step + TOTP_WINDOW + 1) * TOTP_STEP_SECONDS * 1000 + 60_000);
  return (await deps.onceKeys.claim(`operator-totp:${operator.id}:${step}`, until)).first;
}
