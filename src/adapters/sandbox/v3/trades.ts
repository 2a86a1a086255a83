// The simulator's trades: NOTPAY → SUCCESS → REFUND, NOTPAY → CLOSED, with WeChat's prepay idempotency.

import { newPrepayId, newTransactionId, rfc3339 } from './ids';
import type { MerchantIdentity } from './keys';
import type { PrepayBody } from './validate';

export const PREPAY_TTL_MS = 2 * 3600_000;
export type SimTradeState = 'NOTPAY' | 'SUCCESS' | 'REFUND' | 'CLOSED' | 'PAYERROR';
export type Answer = { readonly status: number; readonly body: object | null };

export interface Trade extends PrepayBody {
  state: SimTradeState;
  /** Effective deadline (time_expire raised to at least creation + 1 min), ms. */
  readonly deadlineMs: number | null;
  prepayId: string;
  prepayAtMs: number;
  transactionId: string | null;
  successAtMs: number | null;
  refundedFen: number;
  refundCount: number;
}

const DESC: Record<SimTradeState, string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  REFUND: '转入退款',
  CLOSED: '订单已关闭',
  PAYERROR: '支付失败',
};
const fail = (status: number, code: string, message: string): Answer => ({ status, body: { code, message } });
const fingerprint = (p: PrepayBody) =>
  JSON.stringify([p.description, p.total, p.openid, p.notifyUrl, p.attach, p.timeExpire]);

export function createTrades(merchant: MerchantIdentity, nowMs: () => number) {
  const trades = new Map<string, Trade>();

  /** The transaction object of query answers and notifications; paid-only fields appear once paid. */
  function resource(t: Trade): Record<string, unknown> {
    const base = { appid: merchant.appid, mchid: merchant.mchid, out_trade_no: t.outTradeNo };
    const state = { trade_state: t.state, trade_state_desc: DESC[t.state] };
    if (t.transactionId === null)
      return {
        ...base,
        ...state,
        amount: { total: t.total, payer_currency: 'CNY' },
        promotion_detail: [],
        scene_info: { device_id: '' },
      };
    return {
      ...base,
      transaction_id: t.transactionId,
      trade_type: 'JSAPI',
      ...state,
      bank_type: 'OTHERS',
      ...(t.attach !== null ? { attach: t.attach } : {}),
      success_time: rfc3339(t.successAtMs!),
      payer: { openid: t.openid },
      amount: { total: t.total, payer_total: t.total, currency: 'CNY', payer_currency: 'CNY' },
      promotion_detail: [],
    };
  }

  return {
    get: (no: string) => trades.get(no),
    all: () => [...trades.values()],
    resource,
    findByPrepayId: (prepayId: string) => [...trades.values()].find((t) => t.prepayId === prepayId),

    prepay(p: PrepayBody): Answer {
      const now = nowMs();
      const existing = trades.get(p.outTradeNo);
      if (existing) {
        if (existing.state === 'CLOSED') return fail(400, 'ORDER_CLOSED', '当前订单已关闭，请重新下单');
        // v3 code for "already paid" is UNCONFIRMED; v2's ORDERPAID is the documented assumption.
        if (existing.state !== 'NOTPAY') return fail(400, 'ORDERPAID', '该订单已支付');
        if (fingerprint(existing) !== fingerprint(p)) return fail(403, 'OUT_TRADE_NO_USED', '商户订单号重复');
        if (existing.deadlineMs !== null && now > existing.deadlineMs)
          return fail(400, 'INVALID_REQUEST', '订单已超过支付截止时间');
        if (now - existing.prepayAtMs >= PREPAY_TTL_MS) {
          existing.prepayId = newPrepayId(now);
          existing.prepayAtMs = now;
        }
        return { status: 200, body: { prepay_id: existing.prepayId } };
      }
      const deadlineMs = p.timeExpire === null ? null : Math.max(Date.parse(p.timeExpire), now + 60_000);
      const t: Trade = {
        ...p,
        state: 'NOTPAY',
        deadlineMs,
        prepayId: newPrepayId(now),
        prepayAtMs: now,
        transactionId: null,
        successAtMs: null,
        refundedFen: 0,
        refundCount: 0,
      };
      trades.set(p.outTradeNo, t);
      return { status: 200, body: { prepay_id: t.prepayId } };
    },

    query(no: string): Answer {
      const t = trades.get(no);
      return t ? { status: 200, body: resource(t) } : fail(404, 'ORDER_NOT_EXIST', '订单不存在');
    },

    close(no: string): Answer {
      const t = trades.get(no);
      if (!t) return fail(404, 'ORDER_NOT_EXIST', '订单不存在');
      if (t.state === 'SUCCESS' || t.state === 'REFUND') return fail(400, 'ORDERPAID', '该订单已支付');
      t.state = 'CLOSED'; // closing a closed order answers 204 again (v3 behaviour UNCONFIRMED)
      return { status: 204, body: null };
    },

    /** The user paid: only a NOTPAY trade inside its deadline can be paid. */
    pay(no: string): Trade | string {
      const t = trades.get(no);
      if (!t) return 'no such trade';
      if (t.state !== 'NOTPAY') return `trade is ${t.state}`;
      const now = nowMs();
      if (t.deadlineMs !== null && now > t.deadlineMs) return 'trade is past time_expire';
      t.state = 'SUCCESS';
      t.transactionId = newTransactionId(now);
      t.successAtMs = now;
      return t;
    },

    fail(no: string): Trade | string {
      const t = trades.get(no);
      if (!t) return 'no such trade';
      if (t.state !== 'NOTPAY') return `trade is ${t.state}`;
      t.state = 'PAYERROR';
      return t;
    },
  };
}

export type Trades = ReturnType<typeof createTrades>;
