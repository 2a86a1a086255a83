import { yuanText } from './csv';
import type { LedgerEntry } from './ledger';
import type { Order, OrderStatus } from './order';
import type { PaymentEventRecord } from './payment-events';
import { redactRecord } from './redact';
import type { RefundAttempt, RefundEvent, RefundOutcome } from './refund';
import { refundKey } from './refund';
import type { Review, ReviewReason } from './review';
import type { Settlement } from './settlement';
import type { StatusChange } from './status';
import { formatLocal } from './time';
import { RANK, type TimelineItem, type TimelineKind } from './timeline';

/** Each stored record as a timeline item, worded for an operator (zh-CN). */

const yuan = (fen: number | null | undefined) => (typeof fen === 'number' ? `¥${yuanText(fen)}` : '—');

const STATUS_LABEL: Record<OrderStatus, string> = {
  pending: '待支付',
  paid: '已支付',
  completed: '已完成（积分已发放）',
  cancelled: '已取消',
  refunded: '已退款',
};

const SETTLED_BY: Record<Settlement['source'], string> = {
  callback: '支付网关回调',
  notify: '微信支付通知',
  query: '支付状态查询',
  sweeper: '对账巡检',
  statement: '对账单',
};

const OUTCOME_LABEL: Record<RefundOutcome, string> = {
  succeeded: '退款成功',
  closed: '退款已关闭',
  abnormal: '退款异常',
  failed: '退款被拒绝',
};

const REVIEW_LABEL: Record<ReviewReason, string> = {
  refunded_before_settlement: '支付方显示已退款，但本系统未见支付',
  second_payment: '同一订单被重复支付',
  payment_reused: '支付方报告的交易已属于另一订单',
  unresolved: '多次巡检仍未解决',
  status_without_settlement: '订单状态显示已支付，但没有结算记录',
  shipping_failed: '发货信息上传被拒绝或持续失败（资金可能被冻结）',
};

const item = (
  kind: TimelineKind,
  source: TimelineItem['source'],
  at: Date,
  key: string,
  rank: number,
  summary: string,
  detail: unknown,
): TimelineItem => ({ at, kind, source, key, rank, summary, detail: redactRecord(detail) });

export function orderCreatedItem(order: Order): TimelineItem {
  return item(
    'order_created',
    'orders',
    order.createdAt,
    'order',
    RANK.order,
    `创建订单 ${order.orderNo}：${order.productName}，${yuan(order.amountFen)}，${order.credits}积分`,
    {
      order_id: order.id,
      order_no: order.orderNo,
      user_id: order.userId,
      product_id: order.productId,
      amount_fen: order.amountFen,
      credits: order.credits,
      expires_at: order.expiresAt,
    },
  );
}

export function statusItem(c: StatusChange): TimelineItem {
  const early = c.status === 'paid' || c.status === 'cancelled' || c.status === 'pending';
  return item(
    'status_changed',
    'status_changes',
    c.at,
    `status:${c.status}`,
    early ? RANK.statusEarly : RANK.statusLate,
    `订单状态 → ${STATUS_LABEL[c.status]}`,
    c,
  );
}

/**
 * A settlement keeps the provider's payment time, which may be long before we learned of it (a lost
 * callback found by a later query); it is placed where it was recorded — with the status `paid` it
 * led to, when there is one — and says when the user paid.
 */
export function settlementItem(s: Settlement, tz: string, recordedAt: Date | null): TimelineItem {
  return item(
    'settlement',
    'settlements',
    recordedAt ?? s.settledAt,
    'settlement',
    RANK.settlement,
    `确认收款 ${yuan(s.amountFen)}（依据：${SETTLED_BY[s.source]}），交易号 ${s.paymentId ?? '—'}，支付时间 ${formatLocal(s.settledAt, tz)}`,
    s,
  );
}

export function ledgerItem(e: LedgerEntry, reversal: boolean): TimelineItem {
  const rank = e.type === 'purchase' ? RANK.purchase : reversal ? RANK.refundReversal : RANK.refundDeduction;
  const sign = e.amount > 0 ? '+' : '';
  return item(
    'ledger_entry',
    'ledger',
    e.createdAt,
    `ledger:${e.id}`,
    rank,
    `积分 ${sign}${e.amount}（${e.description}），余额 ${e.balanceAfter}`,
    e,
  );
}

export function refundAttemptItem(a: RefundAttempt): TimelineItem {
  return item(
    'refund_attempt',
    'refund_attempts',
    a.createdAt,
    `refund:${a.outRefundNo}`,
    RANK.refundAttempt,
    `第 ${a.attempt} 次退款申请 ${a.outRefundNo}：${yuan(a.refundFen)}${a.reason ? `，原因：${a.reason}` : ''}`,
    { ...a, ledger_key: refundKey(a.orderId, a.attempt) },
  );
}

export function refundEventItem(e: RefundEvent): TimelineItem {
  const summary =
    e.stage === 'processing'
      ? `退款已被支付方受理（处理中）${e.outRefundNo}`
      : `${OUTCOME_LABEL[e.outcome]} ${e.outRefundNo}${e.detail ? `：${e.detail}` : ''}`;
  return item(
    e.stage === 'processing' ? 'refund_processing' : 'refund_outcome',
    'refund_events',
    e.at,
    `refund:${e.outRefundNo}:${e.stage}`,
    RANK.refundEvent,
    summary,
    e,
  );
}

export function reviewItems(r: Review): TimelineItem[] {
  const opened = item(
    'review_opened',
    'reviews',
    r.createdAt,
    `review:${r.reason}`,
    RANK.review,
    `转人工复核：${REVIEW_LABEL[r.reason]}${r.detail ? `（${r.detail}）` : ''}`,
    r,
  );
  if (!r.resolvedAt) return [opened];
  const resolved = item(
    'review_resolved',
    'reviews',
    r.resolvedAt,
    `review:${r.reason}:resolved`,
    RANK.review,
    `复核已处理：${r.resolution ?? ''}`,
    { id: r.id, resolution: r.resolution },
  );
  return [opened, resolved];
}

const CALL_KIND: Record<string, TimelineKind> = {
  createPayment: 'prepay',
  query: 'provider_query',
  close: 'provider_close',
  refund: 'refund_request',
  queryRefund: 'refund_query',
  callback: 'callback',
  notify: 'callback',
  refund_callback: 'refund_callback',
  refund_notify: 'refund_callback',
  check: 'sweeper_check',
};

/** Recorded payment events carry their own summary (payment-journal.ts words them when recording). */
export function paymentEventItem(e: PaymentEventRecord): TimelineItem {
  return item(
    CALL_KIND[e.action] ?? 'provider_query',
    'payment_events',
    e.at,
    `pe:${e.id}`,
    e.type === 'sweeper' ? RANK.sweeper : RANK.providerOrCallback,
    e.summary,
    {
      type: e.type,
      action: e.action,
      outcome: e.outcome,
      message: e.message,
      duration_ms: e.durationMs,
      ...e.detail,
    },
  );
}
