/** Console operators: people who run the shop in the browser, separate from mini-program users. */
export const OPERATOR_ROLES = ['viewer', 'operator', 'admin'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export interface Operator {
  readonly id: number;
  /** Unique; 3-32 of [a-z0-9_.-], compared as stored (lower case). */
  readonly username: string;
  readonly role: OperatorRole;
  readonly disabled: boolean;
  /** The PasswordHasher's encoded hash (argon2id); never the password. */
  readonly passwordHash: string;
  /** Base32 TOTP secret once enrolled (confirmed with a code); null = password only. */
  readonly totpSecret: string | null;
  /**
   * Sessions name the generation they were started in; a password reset moves it on, which ends
   * every session started before it at once (the session records themselves are never updated).
   */
  readonly sessionGeneration: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** 1 at creation, +1 per edit (as Products). */
  readonly version: number;
}

export interface NewOperator {
  readonly username: string;
  readonly role: OperatorRole;
  readonly passwordHash: string;
}

/** What a versioned edit may change; `endSessions` moves the session generation on. */
export interface OperatorPatch {
  readonly role?: OperatorRole;
  readonly disabled?: boolean;
  readonly passwordHash?: string;
  readonly totpSecret?: string | null;
  readonly endSessions?: boolean;
}

const RANK: Readonly<Record<OperatorRole, number>> = { viewer: 0, operator: 1, admin: 2 };

export const roleAtLeast = (role: OperatorRole, min: OperatorRole): boolean => RANK[role] >= RANK[min];

export const isOperatorRole = (value: unknown): value is OperatorRole =>
  typeof value === 'string' && (OPERATOR_ROLES as readonly string[]).includes(value);

/** Every console action and the least role that may do it: the README's role table is this table. */
export const ACTION_ROLES = {
  read: 'viewer',
  export_csv: 'viewer',
  sync_order: 'operator',
  refund: 'operator',
  adjust_credits: 'operator',
  disable_user: 'operator',
  resolve_review: 'operator',
  edit_product: 'admin',
  manage_operators: 'admin',
  run_statement: 'admin',
  run_audit: 'admin',
} as const satisfies Record<string, OperatorRole>;
export type ConsoleAction = keyof typeof ACTION_ROLES;

export const canDo = (role: OperatorRole, action: ConsoleAction): boolean =>
  roleAtLeast(role, ACTION_ROLES[action]);

export const USERNAME_PATTERN = /^[a-z0-9_.-]{3,32}$/;
export const MIN_PASSWORD_LENGTH = 10;
/** Argon2 hashes a password of any length; past this it is only a way to make us burn CPU. */
export const MAX_PASSWORD_LENGTH = 200;

/** Usernames are case-insensitive: stored and looked up in lower case. */
export const normalizeUsername = (raw: string): string => raw.trim().toLowerCase();

export function usernameProblem(username: string): string | null {
  return USERNAME_PATTERN.test(username) ? null : '用户名须为 3-32 位小写字母、数字或 _ . -';
}

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `密码至少 ${MIN_PASSWORD_LENGTH} 个字符`;
  if (password.length > MAX_PASSWORD_LENGTH) return `密码最多 ${MAX_PASSWORD_LENGTH} 个字符`;
  return null;
}

export const ROLE_LABELS: Readonly<Record<OperatorRole, string>> = {
  viewer: '只读',
  operator: '运营',
  admin: '管理员',
};
