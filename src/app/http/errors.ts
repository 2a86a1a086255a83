import { STATUS_TEXT } from '../../domain/csv';
import type { DomainError, ErrorKind } from '../../domain/errors';
import type { OrderStatus } from '../../domain/order';

/** An order status as the mini-program's user reads it (never the English word). */
const statusText = (status: string): string => STATUS_TEXT[status as OrderStatus] ?? '状态已变化';

/** Why an order cannot be paid, where the user needs more than its status: what to do next. */
const NOT_PAYABLE: Readonly<Record<string, string>> = {
  expired: '订单已过期，请重新下单',
  cancelled: '订单已取消，请重新下单',
  refunded: '订单已退款，不能再次支付，请重新下单',
};

/** The one table from error kind to HTTP status and the Chinese `detail` the mini-program shows. */
const TABLE: { readonly [K in ErrorKind]: (e: Extract<DomainError, { kind: K }>) => [number, string] } = {
  product_not_found: () => [404, '商品不存在'],
  product_inactive: () => [400, '商品已下架'],
  order_not_found: () => [404, '订单不存在'],
  order_not_payable: (e) => [400, NOT_PAYABLE[e.status] ?? `订单${statusText(e.status)}，不能支付`],
  order_already_paid: () => [400, '订单已支付，积分已发放'],
  user_not_found: () => [401, '用户不存在'],
  user_disabled: () => [403, '用户已被禁用'],
  login_code_invalid: () => [400, '登录凭证无效或已使用，请重新登录'],
  login_rate_limited: () => [429, '登录过于频繁，请稍后再试'],
  login_user_blocked: () => [403, '用户已被微信限制登录'],
  login_unavailable: () => [502, '微信登录服务暂时不可用，请稍后重试'],
  statement_day_open: (e) => [400, `${e.date} 还没有到（北京时间），不能对账`],
  provider_unavailable: () => [502, '支付服务暂时不可用，请稍后重试'],
  // The provider's own text (codes, order numbers) goes to the log, not to the client.
  provider_rejected: () => [400, '支付服务拒绝了该请求，请重新下单或稍后再试'],
  notification_unauthenticated: () => [401, '回调签名无效'],
  notification_invalid: (e) => [400, e.message],
  payment_reused: () => [409, '该支付交易已属于另一订单，本订单未结算，已转人工核对'],
  insufficient_credits: () => [400, '积分不足'],
  idempotency_conflict: () => [409, '幂等键已用于另一笔不同的请求'],
  forbidden: () => [403, '需要管理员权限'],
  // An admin naming a user who does not exist: unlike a token's own user (401), this is a 404.
  account_not_found: () => [404, '用户不存在'],
  invalid_price: () => [400, '价格格式不正确：单位为元，最多两位小数'],
  order_not_refundable: (e) => [400, `订单${statusText(e.status)}，不能退款`],
  refund_insufficient_credits: () => [400, '用户积分不足，无法退款（可使用 force 强制退款）'],
  // The attempt is recorded and its credits taken back: the same call later (or the follower) goes on.
  refund_provider_unavailable: () => [
    502,
    '支付服务暂时不可用：退款已登记，积分已扣回，将自动重试，也可稍后重试',
  ],
  refund_not_found: () => [404, '该订单没有退款记录'],
  refund_retry_invalid: () => [400, 'retry_of 不是该订单的退款单号'],
  contention: () => [503, '系统繁忙，请稍后重试'],
  review_not_found: () => [404, '待处理事项不存在'],
  version_conflict: (e) => [409, `数据已被修改（当前版本 ${e.current}），请刷新后重试`],
  pending_order_limit: (e) => [429, `待支付订单过多（最多 ${e.limit} 个），请先支付或等待未支付订单过期`],
  daily_spend_limit: () => [429, '已达到今日购买金额上限，请明天再试'],
  session_ended: () => [401, '登录已失效，请重新登录'],
  // The client calls wx.login() again and sends the new code: the next pay call then signs with it.
  session_key_missing: () => [409, '请重新登录：微信登录态已过期或缺失（调用 wx.login 后重新发起支付）'],
  product_not_sellable: () => [409, '该商品未配置虚拟支付道具，暂不能购买'],
  // The provider's own reason, written for the operator (e.g. an iOS order of 小程序虚拟支付).
  refund_refused: (e) => [409, e.message],
};

export function httpError(error: DomainError): { status: number; detail: string; retryAfter?: number } {
  const [status, detail] = (TABLE[error.kind] as (e: DomainError) => [number, string])(error);
  // A limit that lifts by itself tells the client when (the Retry-After header).
  return 'retryAfterSeconds' in error
    ? { status, detail, retryAfter: error.retryAfterSeconds }
    : { status, detail };
}

export const INTERNAL_ERROR = '服务器内部错误';
