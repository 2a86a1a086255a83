import { newestFirstBy } from '../time';
/** One operator action, insert-only: who, when, from where, what, before → after, why. */
export const AUDIT_TARGET_KINDS = [
  'order',
  'user',
  'product',
  'operator',
  'review',
  'statement',
  'integrity',
] as const;
export type AuditTargetKind = (typeof AUDIT_TARGET_KINDS)[number];

export interface AuditTarget {
  readonly kind: AuditTargetKind;
  readonly id: string;
}

export interface OperatorAuditEntry {
  readonly id: string;
  readonly at: Date;
  /** The local day of `at` ('YYYY-MM-DD' in the configured time zone): the listing's equality key. */
  readonly day: string;
  /** The local hour of `at` (0-23): a day is read hour by hour, newest first, each hour by equality. */
  readonly hour: number;
  /** id null: a failed login naming no existing operator (the username is what was typed). */
  readonly actor: { readonly id: number | null; readonly username: string };
  readonly ip: string;
  readonly action: string;
  readonly target: AuditTarget;
  readonly before: unknown | null;
  readonly after: unknown | null;
  readonly reason: string | null;
}

/** What a listing may narrow a day down to (each an equality). */
export interface AuditDayQuery {
  readonly day: string;
  readonly actorId?: number;
  readonly target?: AuditTarget;
}

/** A page of entries, newest first; `truncated` when the scan cap cut the set short (see the port). */
export interface AuditPage {
  readonly entries: readonly OperatorAuditEntry[];
  readonly truncated: boolean;
}

/** Newest first, ties by id, so pages are stable whatever order the store returned. */
export const newestFirst = newestFirstBy<OperatorAuditEntry>(
  (e) => e.at,
  (e) => e.id,
);

export const targetKey = (t: AuditTarget): string => `${t.kind}:${t.id}`;

/**
 * A page of one day, newest first, read hour by hour from the last: each hour is one equality read of
 * at most AUDIT_SCAN_CAP entries (`truncated` when one had more), sorted in memory, and reading stops
 * as soon as the page is full.
 */
export async function dayPage(
  readHour: (hour: number) => Promise<{ entries: readonly OperatorAuditEntry[]; truncated: boolean }>,
  page: { readonly skip: number; readonly limit: number },
): Promise<AuditPage> {
  const collected: OperatorAuditEntry[] = [];
  let truncated = false;
  for (let hour = 23; hour >= 0 && collected.length < page.skip + page.limit; hour--) {
    const read = await readHour(hour);
    truncated ||= read.truncated;
    collected.push(...[...read.entries].sort(newestFirst));
  }
  return { entries: collected.slice(page.skip, page.skip + page.limit), truncated };
}

/** What each recorded action is called where an operator reads it (audit log, order timeline). */
export const AUDIT_ACTION_TEXT: Readonly<Record<string, string>> = {
  'order.sync': '与支付平台同步',
  'order.refund': '发起退款',
  'product.create': '新建商品',
  'product.update': '修改商品',
  'product.price': '修改价格',
  'product.activate': '上架商品',
  'product.deactivate': '下架商品',
  'user.credits': '调整积分',
  'user.disable': '禁用用户',
  'user.enable': '启用用户',
  'review.resolve': '处理复核',
  'statement.run': '立即对账',
  'integrity.run': '运行数据核查',
  'operator.created': '创建操作员',
  'operator.disabled': '停用操作员',
  'operator.enabled': '启用操作员',
  'operator.password_changed': '修改密码',
  'operator.password_reset': '重置密码',
  'operator.role_changed': '修改角色',
  'operator.totp_enrolled': '开启两步验证',
  'operator.totp_reset': '关闭两步验证',
  'login.succeeded': '登录成功',
  'login.failed': '登录失败',
  'login.locked': '登录失败过多，账号暂时锁定',
  'login.refused_locked': '锁定期间尝试登录',
  logout: '退出登录',
};
