import type { DomainError } from '../errors';
import type { LoginFailure } from '../ports';
import { err, ok, type Result } from '../result';
import type { User } from '../user';
import type { Deps } from './deps';

const LOGIN_ERRORS = {
  code_invalid: (message: string): DomainError => ({ kind: 'login_code_invalid', message }),
  rate_limited: (): DomainError => ({ kind: 'login_rate_limited' }),
  user_blocked: (): DomainError => ({ kind: 'login_user_blocked' }),
  unavailable: (message: string): DomainError => ({ kind: 'login_unavailable', message }),
} as const;

/** WeChat accepts a wx.login() code for 5 minutes; its first answer is remembered a while longer. */
const CODE_MEMORY_MS = 10 * 60_000;

type Exchanged = Awaited<ReturnType<Deps['wechatLogin']['exchange']>>;
const VERDICTS: readonly string[] = ['code_invalid', 'rate_limited', 'user_blocked', 'unavailable'];

/**
 * jscode2session at most once per code, across every instance: the first caller claims the code (a
 * unique insert; adapters keep only a hash of it) and notes WeChat's verdict. A repeat gets that
 * verdict without a second call — or "invalid or used" when the first succeeded or is still running,
 * which is what WeChat itself would answer — so replaying codes burns none of our WeChat quota.
 */
async function exchangeOnce(
  deps: Pick<Deps, 'wechatLogin' | 'onceKeys' | 'clock'>,
  code: string,
): Promise<Exchanged> {
  const key = `login-code:${code}`;
  const claim = await deps.onceKeys.claim(key, new Date(deps.clock.now().getTime() + CODE_MEMORY_MS));
  if (!claim.first) {
    const reason = claim.note !== null && VERDICTS.includes(claim.note) ? claim.note : 'code_invalid';
    return { ok: false, reason: reason as LoginFailure, message: 'login code used before' };
  }
  const exchanged = await deps.wechatLogin.exchange(code);
  await deps.onceKeys.note(key, exchanged.ok ? 'ok' : exchanged.reason);
  return exchanged;
}

/** wx.login() code → openid → the user, created on first login. Token issuance is the HTTP layer's job. */
export function login(
  deps: Pick<Deps, 'wechatLogin' | 'onceKeys' | 'users' | 'clock' | 'settings' | 'sessionKeys'>,
) {
  return async (code: string): Promise<Result<User, DomainError>> => {
    const exchanged = await exchangeOnce(deps, code);
    if (!exchanged.ok) return err(LOGIN_ERRORS[exchanged.reason](exchanged.message));
    const now = deps.clock.now();
    let { user } = await deps.users.ensure(exchanged.openid, now);
    if (!user.isActive) return err({ kind: 'user_disabled' });
    // Every login replaces the key at WeChat, so the newest one is what xpay's signature must use.
    if (deps.settings.virtualPayment) await deps.sessionKeys.save(user.id, exchanged.sessionKey, now);
    // Persisted, so the role also holds for tokens issued later; removal from the list demotes nobody.
    if (user.role !== 'admin' && deps.settings.adminOpenids?.includes(user.openid)) {
      const promoted = await deps.users.update(user.id, { role: 'admin' }, now);
      if (promoted.ok) user = promoted.value;
    }
    return ok(user);
  };
}

/** The user behind a verified token; disabled or deleted users lose access immediately. */
export function activeUser(deps: Pick<Deps, 'users'>) {
  return async (userId: number): Promise<Result<User, DomainError>> => {
    const user = await deps.users.findById(userId);
    if (!user) return err({ kind: 'user_not_found' });
    if (!user.isActive) return err({ kind: 'user_disabled' });
    return ok(user);
  };
}
