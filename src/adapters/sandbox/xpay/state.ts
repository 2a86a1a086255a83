// What the simulated xpay knows: published items, orders (pay and refund orders share one table, as
// in query_order), and each user's current session_key as the login simulator issued it.
import { randomInt } from 'node:crypto';

export interface XpayOrder {
  /** Our outTradeNo (pay order) or refund_order_id (refund order). */
  readonly orderId: string;
  readonly wxOrderId: string;
  readonly openid: string;
  readonly env: 0 | 1;
  /** 0 pay, 7 iOS pay, 1 refund, 8 iOS refund. */
  readonly orderType: 0 | 1 | 7 | 8;
  /** query_order's status table (brief §1.7). */
  status: number;
  readonly productId: string;
  readonly quantity: number;
  readonly attach: string;
  readonly orderFee: number;
  paidFee: number;
  leftFee: number;
  paidTimeMs: number;
  provideTimeMs: number;
  readonly transactionId: string;
  /** Refund orders: the pay order and the refunded amount. */
  readonly payOrderId?: string;
  readonly refundFee?: number;
  /** notify_provide_goods calls that changed this order, and duplicates that did not. */
  provideNotified: number;
}

export const newWxId = (prefix: string): string =>
  `${prefix}${Date.now()}${String(randomInt(0, 1e9)).padStart(9, '0')}`;

export interface XpayState {
  readonly orders: Map<string, XpayOrder>;
  /** 道具 published for the env: productId → price in fen. */
  readonly items: Map<string, number>;
}

/** The packages of the demo catalog are published from the start, so `npm start` sells them as is. */
export const DEMO_ITEMS: readonly (readonly [string, number])[] = [
  ['credits_100', 990],
  ['credits_500', 3990],
];

export const newXpayState = (): XpayState => ({ orders: new Map(), items: new Map(DEMO_ITEMS) });

/** The order as query_order answers it (times in unix seconds; `lagging` shows a paid order still at 1). */
export function orderView(o: XpayOrder, lagging = false) {
  const s = (ms: number) => (ms > 0 ? Math.floor(ms / 1000) : 0);
  return {
    order_id: o.orderId,
    wx_order_id: o.wxOrderId,
    status: lagging ? 1 : o.status,
    order_type: o.orderType,
    order_fee: o.orderFee,
    coupon_fee: 0,
    paid_fee: lagging ? 0 : o.paidFee,
    refund_fee: o.refundFee ?? o.paidFee - o.leftFee,
    left_fee: o.leftFee,
    create_time: s(o.paidTimeMs),
    update_time: s(Math.max(o.paidTimeMs, o.provideTimeMs)),
    paid_time: lagging ? 0 : s(o.paidTimeMs),
    provide_time: s(o.provideTimeMs),
    biz_type: 0,
    biz_meta: '',
    env_type: o.env === 0 ? 1 : 2,
    token: '',
    channel_order_id: o.transactionId ? `M${o.wxOrderId}` : '',
    wxpay_order_id: o.transactionId,
    sett_state: 0,
  };
}
