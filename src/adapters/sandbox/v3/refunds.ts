// Domestic refunds: accepted as PROCESSING; `delayMs` later (evaluated lazily and by a timer) they end
// with the outcome the `refund` fault knob names (SUCCESS by default), or when forced through the
// control API. Reaching an outcome sends REFUND.<STATUS> to the refund's notify_url, if it gave one.
import type { RefundOutcome } from './faults';
import { newRefundId, rfc3339 } from './ids';
import type { EventKind } from './notifier';
import type { Answer, Trades } from './trades';

type Status = 'SUCCESS' | 'CLOSED' | 'ABNORMAL' | 'PROCESSING';

interface Refund {
  readonly refundId: string;
  readonly outRefundNo: string;
  readonly outTradeNo: string;
  readonly transactionId: string;
  readonly refund: number;
  readonly total: number;
  readonly notifyUrl: string | null;
  readonly createdAtMs: number;
  /** The outcome it will reach by itself after delayMs; PROCESSING = only when forced. */
  readonly planned: RefundOutcome;
  status: Status;
  finishedAtMs: number | null;
}

export interface RefundDeps {
  readonly trades: Trades;
  readonly nowMs: () => number;
  readonly delayMs: number;
  readonly mchid: string;
  readonly allowHttpNotify: boolean;
  readonly planned: () => RefundOutcome;
  readonly notify: (url: string, outTradeNo: string, resource: object, kind: EventKind) => void;
}

const fail = (status: number, code: string, message: string): Answer => ({ status, body: { code, message } });
const paramError = (field: string, value: unknown, issue: string): Answer => ({
  status: 400,
  body: { code: 'PARAM_ERROR', message: '参数错误', detail: { field, value, issue, location: 'body' } },
});
const isFen = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;
const SUMMARY: Record<Exclude<Status, 'PROCESSING'>, string> = {
  SUCCESS: '退款成功',
  CLOSED: '退款关闭',
  ABNORMAL: '退款异常',
};

export function createRefunds(d: RefundDeps) {
  const refunds = new Map<string, Refund>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  /** Moves a PROCESSING refund to its outcome once (a forced repeat re-sends the notification). */
  function finish(r: Refund, status: Exclude<Status, 'PROCESSING'>, notify: boolean): boolean {
    if (r.status !== 'PROCESSING' && r.status !== status) return false;
    if (r.status === 'PROCESSING') {
      r.status = status;
      r.finishedAtMs = d.nowMs();
      // A closed or abnormal refund moved no money: the trade may be refunded again under a new number.
      const t = d.trades.get(r.outTradeNo);
      if (t && status !== 'SUCCESS') t.refundedFen -= r.refund;
    }
    if (notify && r.notifyUrl)
      d.notify(r.notifyUrl, r.outTradeNo, notice(r), {
        eventType: `REFUND.${status}`,
        summary: SUMMARY[status],
        resourceType: 'refund',
        outRefundNo: r.outRefundNo,
      });
    return true;
  }

  function due(r: Refund): void {
    if (r.status === 'PROCESSING' && r.planned !== 'PROCESSING' && d.nowMs() >= r.createdAtMs + d.delayMs)
      finish(r, r.planned, true);
  }

  /** The decrypted REFUND.* resource (note `refund_status`, not `status`). */
  const notice = (r: Refund) => ({
    mchid: d.mchid,
    out_trade_no: r.outTradeNo,
    transaction_id: r.transactionId,
    out_refund_no: r.outRefundNo,
    refund_id: r.refundId,
    refund_status: r.status,
    ...(r.status === 'SUCCESS' && r.finishedAtMs !== null ? { success_time: rfc3339(r.finishedAtMs) } : {}),
    user_received_account: '支付用户零钱',
    amount: { total: r.total, refund: r.refund, payer_total: r.total, payer_refund: r.refund },
  });

  function body(r: Refund): object {
    const amount = { total: r.total, refund: r.refund, payer_total: r.total, payer_refund: r.refund };
    return {
      refund_id: r.refundId,
      out_refund_no: r.outRefundNo,
      transaction_id: r.transactionId,
      out_trade_no: r.outTradeNo,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      ...(r.status === 'SUCCESS' && r.finishedAtMs !== null ? { success_time: rfc3339(r.finishedAtMs) } : {}),
      create_time: rfc3339(r.createdAtMs),
      status: r.status,
      funds_account: 'AVAILABLE',
      amount: {
        ...amount,
        settlement_refund: r.refund,
        settlement_total: r.total,
        discount_refund: 0,
        currency: 'CNY',
        refund_fee: 0,
        from: [],
      },
      promotion_detail: [],
    };
  }

  return {
    create(b: Record<string, unknown>): Answer {
      const amount = (b.amount ?? {}) as Record<string, unknown>;
      const no = b.out_refund_no;
      if (typeof no !== 'string' || !/^[A-Za-z0-9_\-|*@]{1,64}$/.test(no))
        return paramError('/out_refund_no', no, '格式错误');
      const existing = refunds.get(no);
      if (existing) {
        due(existing);
        return { status: 200, body: body(existing) }; // same out_refund_no refunds once
      }
      if (!isFen(amount.refund) || !isFen(amount.total) || amount.currency !== 'CNY')
        return paramError('/amount', amount, 'refund/total 应为正整数, currency 为 CNY');
      const url = b.notify_url;
      const scheme = d.allowHttpNotify ? /^https?:\/\/\S{1,250}$/ : /^https:\/\/\S{1,250}$/;
      if (url !== undefined && (typeof url !== 'string' || !scheme.test(url)))
        return paramError('/notify_url', url, '通知地址格式错误');
      const t = typeof b.out_trade_no === 'string' ? d.trades.get(b.out_trade_no) : undefined;
      if (!t || t.transactionId === null || (t.state !== 'SUCCESS' && t.state !== 'REFUND'))
        return fail(404, 'RESOURCE_NOT_EXISTS', '订单不存在或未支付');
      if (amount.total !== t.total) return fail(400, 'PARAM_ERROR', '订单金额与原订单不一致');
      if (amount.refund > t.total - t.refundedFen)
        return fail(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
      if (t.refundCount >= 50) return fail(403, 'RULE_LIMIT', '部分退款次数超过50次');
      const r: Refund = {
        refundId: newRefundId(),
        outRefundNo: no,
        outTradeNo: t.outTradeNo,
        transactionId: t.transactionId,
        refund: amount.refund,
        total: t.total,
        notifyUrl: typeof url === 'string' ? url : null,
        createdAtMs: d.nowMs(),
        planned: d.planned(),
        status: 'PROCESSING',
        finishedAtMs: null,
      };
      refunds.set(no, r);
      t.state = 'REFUND';
      t.refundedFen += r.refund;
      t.refundCount += 1;
      if (r.planned !== 'PROCESSING') {
        const timer = setTimeout(() => {
          timers.delete(timer);
          due(r);
        }, d.delayMs);
        timers.add(timer);
      }
      // The create answer is always PROCESSING: 200 means accepted, not refunded.
      return { status: 200, body: body(r) };
    },

    /** Every refund as it stands now (for the trade bill). */
    all() {
      for (const r of refunds.values()) due(r);
      return [...refunds.values()];
    },

    query(no: string): Answer {
      const r = refunds.get(no);
      if (!r) return fail(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      due(r);
      return { status: 200, body: body(r) };
    },

    /** Test control: the refunds of a trade, as the refund query shows them. */
    ofTrade(outTradeNo: string): object[] {
      const mine = [...refunds.values()].filter((r) => r.outTradeNo === outTradeNo);
      for (const r of mine) due(r);
      return mine.map(body);
    },

    /** Test control: end a refund now; false when unknown or already ended otherwise. */
    force(no: string, status: Exclude<Status, 'PROCESSING'>, notify: boolean): boolean {
      const r = refunds.get(no);
      return r !== undefined && finish(r, status, notify);
    },

    stop(): void {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
