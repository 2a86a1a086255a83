// query_order's `order` object → the port's values (brief §1.7 status table).
import { isFen } from '../../../domain/money';
import type { RefundStatus, TradeState, TradeStatus } from '../../../domain/payment';

/** Pay orders: 0 pay (Android etc.), 7 iOS pay. Refund orders: 1, 8 (iOS refund). */
export const PAY_ORDER_TYPES: readonly number[] = [0, 7];
export const IOS_PAY_ORDER = 7;

/**
 * 0 init / 1 created → not paid; 2 paid-to-deliver, 3 delivering, 4 delivered → paid; 5 refunded,
 * 8 user refund done → refunded; 6 closed; 7 refund failed → still paid. 9 (ad fund recovered) and
 * 10 (split rolled back) only follow a refund → refunded (UNCONFIRMED, brief §8 #15).
 */
export function tradeStateOf(status: number): TradeState | null {
  if (status === 0 || status === 1) return 'NOTPAY';
  if (status === 2 || status === 3 || status === 4 || status === 7) return 'SUCCESS';
  if (status === 5 || status === 8 || status === 9 || status === 10) return 'REFUND';
  if (status === 6) return 'CLOSED';
  return null;
}

/** Refund orders: 5/8 done, 7 failed (brief §1.7: "use 5/8 = done and 7 = failed"), else in progress. */
export function refundStateOf(status: number): RefundStatus['status'] {
  if (status === 5 || status === 8) return 'SUCCESS';
  if (status === 7) return 'ABNORMAL';
  return 'PROCESSING';
}

const int = (v: unknown): number | null => {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) return Number(v);
  return null;
};
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export interface XpayOrder {
  readonly orderId: string;
  readonly wxOrderId: string | null;
  readonly status: number;
  readonly orderType: number;
  readonly paidFee: number | null;
  readonly leftFee: number | null;
  readonly paidTime: number | null;
  readonly transactionId: string | null;
}

/** The `order` of a query_order answer, or why it cannot be read. */
export function readOrder(body: Readonly<Record<string, unknown>>): XpayOrder | string {
  const o = body.order;
  if (typeof o !== 'object' || o === null) return 'answer without order';
  const r = o as Record<string, unknown>;
  const status = int(r.status);
  const orderId = text(r.order_id);
  if (status === null || orderId === null) return 'order without status/order_id';
  return {
    orderId,
    wxOrderId: text(r.wx_order_id),
    status,
    orderType: int(r.order_type) ?? 0,
    paidFee: int(r.paid_fee),
    leftFee: int(r.left_fee),
    paidTime: int(r.paid_time),
    transactionId: text(r.wxpay_order_id),
  };
}

/** A pay order → TradeStatus; the amount is what the buyer paid (paid_fee, the push's ActualPrice). */
export function toTradeStatus(o: XpayOrder): TradeStatus | string {
  const state = tradeStateOf(o.status);
  if (state === null) return `unknown status ${o.status}`;
  const paid = state === 'SUCCESS' || state === 'REFUND';
  if (paid && (o.paidFee === null || !isFen(o.paidFee))) return `status ${o.status} without paid_fee`;
  return {
    state,
    transactionId: o.transactionId,
    amountFen: paid ? o.paidFee : null,
    paidAt: o.paidTime && o.paidTime > 0 ? new Date(o.paidTime * 1000) : null,
  };
}
