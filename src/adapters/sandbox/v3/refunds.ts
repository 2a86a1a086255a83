// Domestic refunds: accepted as PROCESSING, SUCCESS once `delayMs` has passed (evaluated lazily,
// so no timers) or when forced through the control API.
import { newRefundId, rfc3339 } from './ids';
import type { Answer, Trades } from './trades';

interface Refund {
  readonly refundId: string;
  readonly outRefundNo: string;
  readonly outTradeNo: string;
  readonly transactionId: string;
  readonly refund: number;
  readonly total: number;
  readonly createdAtMs: number;
  successAtMs: number | null;
}

const fail = (status: number, code: string, message: string): Answer => ({ status, body: { code, message } });
const isFen = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;

export function createRefunds(trades: Trades, nowMs: () => number, delayMs: number) {
  const refunds = new Map<string, Refund>();

  function body(r: Refund): object {
    const now = nowMs();
    if (r.successAtMs === null && now >= r.createdAtMs + delayMs) r.successAtMs = r.createdAtMs + delayMs;
    const amount = { total: r.total, refund: r.refund, payer_total: r.total, payer_refund: r.refund };
    return {
      refund_id: r.refundId,
      out_refund_no: r.outRefundNo,
      transaction_id: r.transactionId,
      out_trade_no: r.outTradeNo,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      ...(r.successAtMs !== null ? { success_time: rfc3339(r.successAtMs) } : {}),
      create_time: rfc3339(r.createdAtMs),
      status: r.successAtMs !== null ? 'SUCCESS' : 'PROCESSING',
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
        return {
          status: 400,
          body: {
            code: 'PARAM_ERROR',
            message: '参数错误',
            detail: { field: '/out_refund_no', value: no, issue: '格式错误', location: 'body' },
          },
        };
      const existing = refunds.get(no);
      if (existing) return { status: 200, body: body(existing) }; // same out_refund_no refunds once
      if (!isFen(amount.refund) || !isFen(amount.total) || amount.currency !== 'CNY')
        return {
          status: 400,
          body: {
            code: 'PARAM_ERROR',
            message: '参数错误',
            detail: {
              field: '/amount',
              value: amount,
              issue: 'refund/total 应为正整数, currency 为 CNY',
              location: 'body',
            },
          },
        };
      const t = typeof b.out_trade_no === 'string' ? trades.get(b.out_trade_no) : undefined;
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
        createdAtMs: nowMs(),
        successAtMs: null,
      };
      refunds.set(no, r);
      t.state = 'REFUND';
      t.refundedFen += r.refund;
      t.refundCount += 1;
      // The create answer is always PROCESSING: 200 means accepted, not refunded.
      const { success_time: _, ...accepted } = body(r) as Record<string, unknown>;
      return { status: 200, body: { ...accepted, status: 'PROCESSING' } };
    },

    query(no: string): Answer {
      const r = refunds.get(no);
      return r ? { status: 200, body: body(r) } : fail(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    },

    succeed(no: string): boolean {
      const r = refunds.get(no);
      if (r && r.successAtMs === null) r.successAtMs = nowMs();
      return r !== undefined;
    },
  };
}
