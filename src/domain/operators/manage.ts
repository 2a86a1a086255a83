import type { Edit } from '../ports';
import { err, ok, type Result } from '../result';
import type { OperatorDeps } from './deps';
import { codeAccepted } from './login';
import {
  normalizeUsername,
  type Operator,
  type OperatorPatch,
  type OperatorRole,
  passwordProblem,
  usernameProblem,
} from './operator';
import { type AuditActor, recordAudit } from './record';

/** Who acts and from where: the console's operator, or the CLI. */
export interface Acting {
  readonly actor: AuditActor;
  readonly ip: string;
}

export type ManageError =
  | { readonly kind: 'invalid'; readonly detail: string }
  | { readonly kind: 'username_taken' }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'version_conflict'; readonly current: number }
  | { readonly kind: 'self' };

/** What the audit log shows of an operator: never the password hash or the TOTP secret. */
export const operatorView = (o: Operator) => ({
  id: o.id,
  username: o.username,
  role: o.role,
  disabled: o.disabled,
  totp: o.totpSecret !== null,
  version: o.version,
});

const target = (id: number) => ({ kind: 'operator' as const, id: String(id) });

export const createOperator =
  (deps: OperatorDeps) =>
  async (
    acting: Acting,
    input: { username: string; role: OperatorRole; password: string },
  ): Promise<Result<Operator, ManageError>> => {
    const username = normalizeUsername(input.username);
    const problem = usernameProblem(username) ?? passwordProblem(input.password);
    if (problem) return err({ kind: 'invalid', detail: problem });
    const passwordHash = await deps.passwordHasher.hash(input.password);
    const created = await deps.operators.create(
      { username, role: input.role, passwordHash },
      deps.clock.now(),
    );
    if (!created.ok) return created;
    await recordAudit(deps)(acting.actor, acting.ip, {
      action: 'operator.created',
      target: target(created.value.id),
      after: operatorView(created.value),
    });
    return created;
  };

/**
 * One versioned edit of an operator, audited with before → after. `self` when the acting operator
 * would lock themselves out (disable themselves, drop their own admin role): nobody could undo it
 * in the console.
 */
const edit =
  (
    deps: OperatorDeps,
    action: string,
    patchOf: (current: Operator, acting: Acting) => OperatorPatch | ManageError,
  ) =>
  async (
    acting: Acting,
    id: number,
    opts: { expectedVersion?: number; reason?: string | null } = {},
  ): Promise<Result<Operator, ManageError>> => {
    const current = await deps.operators.findById(id);
    if (!current) return err({ kind: 'not_found' });
    const patch = patchOf(current, acting);
    if ('kind' in patch) return err(patch);
    const edited: Edit<Operator> = await deps.operators.update(
      id,
      patch,
      deps.clock.now(),
      opts.expectedVersion,
    );
    if (!edited.ok) return edited;
    await recordAudit(deps)(acting.actor, acting.ip, {
      action,
      target: target(id),
      before: operatorView(current),
      after: operatorView(edited.value),
      reason: opts.reason ?? null,
    });
    return ok(edited.value);
  };

const isSelf = (acting: Acting, current: Operator) => acting.actor.id === current.id;

export const changeOperatorRole = (deps: OperatorDeps, role: OperatorRole) =>
  edit(deps, 'operator.role_changed', (current, acting) =>
    role !== 'admin' && isSelf(acting, current) ? { kind: 'self' } : { role },
  );

/** Disabling takes effect at the disabled operator's next request (it is re-read on every one). */
export const setOperatorDisabled = (deps: OperatorDeps, disabled: boolean) =>
  edit(deps, disabled ? 'operator.disabled' : 'operator.enabled', (current, acting) =>
    disabled && isSelf(acting, current)
      ? { kind: 'self' }
      : { disabled, ...(disabled ? { endSessions: true } : {}) },
  );

/** A new password ends every session the operator had (theirs included: the console starts a new one). */
export const setOperatorPassword =
  (deps: OperatorDeps) =>
  async (acting: Acting, id: number, password: string): Promise<Result<Operator, ManageError>> => {
    const problem = passwordProblem(password);
    if (problem) return err({ kind: 'invalid', detail: problem });
    const passwordHash = await deps.passwordHasher.hash(password);
    const action = acting.actor.id === id ? 'operator.password_changed' : 'operator.password_reset';
    return edit(deps, action, () => ({ passwordHash, endSessions: true }))(acting, id);
  };

export const resetOperatorTotp = (deps: OperatorDeps) =>
  edit(deps, 'operator.totp_reset', (current) =>
    current.totpSecret === null
      ? { kind: 'invalid', detail: '该操作员未启用两步验证' }
      : { totpSecret: null },
  );

/** Enables TOTP with `secret` once `code` shows the operator's authenticator has it. */
export const enrollOperatorTotp =
  (deps: OperatorDeps) =>
  async (
    acting: Acting,
    operator: Operator,
    secret: string,
    code: string,
  ): Promise<Result<Operator, ManageError>> => {
    if (operator.totpSecret !== null) return err({ kind: 'invalid', detail: '已启用两步验证' });
    if (!(await codeAccepted(deps, operator, code, deps.clock.now(), secret)))
      return err({ kind: 'invalid', detail: '验证码不正确或已使用，请等待下一个验证码后重试' });
    return edit(deps, 'operator.totp_enrolled', () => ({ totpSecret: secret }))(acting, operator.id);
  };
