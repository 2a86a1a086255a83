import type { Clock, OnceKeys, Random, RateWindows } from '../ports';
import type { LoginLocks, OperatorAudit, OperatorSessions, Operators, PasswordHasher } from './ports';

/** What the operator use cases need. */
export interface OperatorDeps {
  readonly operators: Operators;
  readonly operatorSessions: OperatorSessions;
  readonly operatorAudit: OperatorAudit;
  readonly loginLocks: LoginLocks;
  readonly passwordHasher: PasswordHasher;
  /** Failed-login counting windows (shared with the API's rate limits) and used TOTP steps. */
  readonly rateWindows: RateWindows;
  readonly onceKeys: OnceKeys;
  readonly clock: Clock;
  readonly random: Random;
  readonly settings: { readonly timeZone: string };
}
