import type { DomainError } from '../errors';
import { err, ok, type Result } from '../result';
import type { User } from '../user';
import type { Deps } from './deps';

const LOGIN_ERRORS = {
  code_invalid: (message: string): DomainError => ({ kind: 'login_code_invalid', message }),
  rate_limited: (): DomainError => ({ kind: 'login_rate_limited' }),
  user_blocked: (): DomainError => ({ kind: 'login_user_blocked' }),
  unavailable: (message: string): DomainError => ({ kind: 'provider_unavailable', message }),
} as const;

/** wx.login() code → openid → the user, created on first login. Token issuance is the HTTP layer's job. */
export function login(deps: Pick<Deps, 'wechatLogin' | 'users' | 'clock' | 'settings'>) {
  return async (code: string): Promise<Result<User, DomainError>> => {
    const exchanged = await deps.wechatLogin.exchange(code);
    if (!exchanged.ok) return err(LOGIN_ERRORS[exchanged.reason](exchanged.message));
    const now = deps.clock.now();
    let { user } = await deps.users.ensure(exchanged.openid, now);
    if (!user.isActive) return err({ kind: 'user_disabled' });
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
