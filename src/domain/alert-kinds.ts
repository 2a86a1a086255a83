import type { Alert } from './alert';
import { fenToYuan } from './money';
import type { Order } from './order';
import type { Review } from './review';
import type { PaymentClaim, Settlement } from './settlement';
import { DIFFERENCE_TEXT, type DifferenceKind, type StatementDifference } from './statement';

/** The alerts the use cases raise, one builder per trigger (texts in zh-CN for the operators). */

/**
 * The same order paid under a second transaction. Keyed by order and the second transaction, in the
 * hour of the first settlement: every redelivery of that payment, at any time, is the same alert.
 */
export function secondPaymentAlert(order: Order, settlement: Settlement, paymentId: string): Alert {
  return {
    kind: 'second_payment',
    key: `${order.id}:${paymentId}`,
    severity: 'critical',
    title: `订单 ${order.orderNo} 重复支付`,
    text: `订单 ${order.id} 已按交易 ${settlement.paymentId ?? '-'} 结算，又收到交易 ${paymentId} 的支付（${fenToYuan(order.amountFen)} 元）。积分只发放一次；请在商户平台退还第二笔款项，并在 /api/admin/reviews 标记处理。`,
    facts: {
      order_id: order.id,
      order_no: order.orderNo,
      settled_payment: settlement.paymentId,
      second_payment: paymentId,
      amount_fen: order.amountFen,
    },
    at: settlement.settledAt,
  };
}

/**
 * What a reused transaction left the reported order with: `refused` — not settled; `own_settlement`
 * — settled by a transaction of its own, the report changed nothing; `both_settled` — found by the
 * claims backfill: both orders were settled and credited (at least one before claims existed).
 */
export type ReuseSituation = 'refused' | 'own_settlement' | 'both_settled';

const REUSE_OUTCOME: Readonly<Record<ReuseSituation, (order: Order) => string>> = {
  refused: (o) => `订单 ${o.id} 未结算、未发放积分；请在商户平台核对这笔交易属于哪个订单`,
  own_settlement: (o) =>
    `订单 ${o.id} 已由它自己的交易结算，这次报告未改变任何记录；请核对支付方为何把这笔交易报给它`,
  both_settled: () =>
    '两个订单都已结算并发放积分（至少一笔结算早于交易号唯一校验）；请核对这笔交易实际属于哪个订单，另一个订单需要追回积分或补收款项',
};

/**
 * A transaction that already pays one order was reported for another (a gateway fault or a forged
 * callback). Keyed by order and transaction, in the hour the transaction was claimed: every
 * redelivery is the same alert.
 */
export function paymentReusedAlert(order: Order, holder: PaymentClaim, situation: ReuseSituation): Alert {
  return {
    kind: 'payment_reused',
    key: `${order.id}:${holder.paymentId}`,
    severity: 'critical',
    title: `交易 ${holder.paymentId} 被用于第二个订单`,
    text: `交易 ${holder.paymentId} 已用于订单 ${holder.orderId}，又被报告为订单 ${order.id}（${order.orderNo}，${fenToYuan(order.amountFen)} 元）的支付。${REUSE_OUTCOME[situation](order)}，并在复核页标记处理。`,
    facts: {
      order_id: order.id,
      order_no: order.orderNo,
      payment_id: holder.paymentId,
      held_by_order: holder.orderId,
      amount_fen: order.amountFen,
      situation,
    },
    at: holder.claimedAt,
  };
}

/** A statement reconciliation that found differences (raised once: the report of a date is stored once). */
export function statementAlert(date: string, differences: readonly StatementDifference[]): Alert {
  const byKind: Record<string, number> = {};
  for (const d of differences) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
  const unhealed = differences.filter((d) => d.kind !== 'missing_here' || !d.healed).length;
  const kinds = Object.entries(byKind)
    .map(([k, n]) => `${DIFFERENCE_TEXT[k as DifferenceKind]} ${n} 处`)
    .join('，');
  return {
    kind: 'statement_difference',
    key: date,
    severity: unhealed > 0 ? 'critical' : 'warning',
    title: `${date} 对账单与本地记录不一致（${differences.length} 处）`,
    text: `差异：${kinds}。其中 ${unhealed} 处需要人工处理（已自动补单的不计）。详情见控制台「对账」页 /admin/statements/${date}（或 GET /api/admin/statements/${date}）。`,
    facts: { date, differences: differences.length, unhealed, ...byKind },
  };
}

/** The audit's rules (domain/audit.ts) as an operator reads them. */
export const AUDIT_RULE_TEXT: Readonly<Record<string, string>> = {
  ledger_chain: '积分流水链',
  settlement_purchase: '结算与积分发放',
  order_status: '订单状态',
  payment_claim: '一笔交易只属于一个订单',
  refund_records: '退款记录',
  review_queue: '未处理的复核',
  order_numbers: '订单编号',
  order_list: '订单列表索引',
};

/** Integrity audit violations; a different set of counts is a new alert within the hour. */
export function auditAlert(violations: Readonly<Record<string, number>>): Alert {
  const entries = Object.entries(violations).sort(([a], [b]) => a.localeCompare(b));
  const summary = entries
    .map(([check, n]) => `${AUDIT_RULE_TEXT[check] ?? check}（${check}）${n} 处`)
    .join('，');
  const onlyReviews = entries.every(([check]) => check === 'review_queue');
  return {
    kind: 'audit_violation',
    key: entries.map(([check, n]) => `${check}=${n}`).join(','),
    severity: onlyReviews ? 'warning' : 'critical',
    title: `数据一致性审计发现问题（${entries.reduce((s, [, n]) => s + n, 0)} 处）`,
    text: `违反的规则：${summary}。未处理的复核请在控制台「复核」页处理；其余问题的明细见控制台「数据核查」页 /admin/integrity（或 GET /api/admin/audit），请交技术人员处理。`,
    facts: Object.fromEntries(entries),
  };
}

/** Orders paid but not completed for longer than `minutes` (one alert per hour while any remain). */
export function paidNotCompletedAlert(stuck: readonly Order[], minutes: number, now: Date): Alert {
  const oldest = stuck.reduce((o, x) => (paidAt(x) < paidAt(o) ? x : o));
  const ageMinutes = Math.floor((now.getTime() - paidAt(oldest).getTime()) / 60_000);
  const listed = stuck.slice(0, 10).map((o) => `${o.id}（${o.orderNo}）`);
  return {
    kind: 'paid_not_completed',
    key: 'orders',
    severity: 'critical',
    title: `${stuck.length} 笔订单已支付超过 ${minutes} 分钟仍未完成`,
    text: `订单：${listed.join('，')}${stuck.length > listed.length ? ' 等' : ''}。最久的已 ${ageMinutes} 分钟。积分发放可能卡住：查看对账程序日志与 /api/admin/reviews。`,
    facts: { count: stuck.length, oldest_order_id: oldest.id, oldest_minutes: ageMinutes },
  };
}

export const paidAt = (o: Order): Date => o.paymentTime ?? o.updatedAt;

/**
 * The review queue: a review was opened (once per review: keyed by it, in the hour it was opened),
 * or more than `threshold` are open (once an hour).
 */
export function reviewQueueAlert(
  open: number,
  threshold: number,
  newest: Review,
  cause: 'above_threshold' | 'grew',
): Alert {
  const above = cause === 'above_threshold';
  return {
    kind: 'review_queue',
    key: above ? 'above_threshold' : `grew:${newest.id}`,
    severity: 'warning',
    title: above ? `待人工处理事项超过 ${threshold} 个` : `新增待人工处理事项：${newest.reason}`,
    text: `未处理事项 ${open > threshold ? `超过 ${threshold}` : open} 个；最新：订单 ${newest.orderId}（${newest.orderNo}）${newest.reason}：${newest.detail}。在 /api/admin/reviews 查看并处理。`,
    // `open` is counted up to threshold + 1 (one bounded page).
    facts: { open, threshold, newest_review: newest.id },
    ...(above ? {} : { at: newest.createdAt }),
  };
}
