/**
 * 发货信息管理 (brief §2): WeChat freezes the money of a mini program's WeChat Pay order until its
 * shipping is uploaded. Credits are virtual goods: shipped the moment they are granted.
 */

/** What we tell WeChat about one credited order. */
export interface ShippingRequest {
  readonly orderNo: string;
  /** WeChat Pay's transaction id when we know it (order_number_type 2), else mchid + out_trade_no (type 1). */
  readonly transactionId: string | null;
  readonly payerOpenid: string;
  /** `shipping_list[0].item_desc`, at most 120 characters. */
  readonly itemDesc: string;
  readonly uploadedAt: Date;
}

/**
 * `uploaded` and `already_shipped` are done; `retry` may succeed later (the payment not visible yet,
 * WeChat busy, no answer); `rejected` never will (a human must look).
 */
export type ShippingResult =
  | { readonly kind: 'uploaded' }
  | { readonly kind: 'already_shipped' }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'rejected'; readonly reason: string };

/** The insert-only record that the order's shipping is with WeChat: one per order, ever. */
export interface ShippingRecord {
  readonly orderId: number;
  readonly orderNo: string;
  readonly result: 'uploaded' | 'already_shipped';
  readonly at: Date;
}

/** What the buyer sees in WeChat's shipping message: the package's name, at most 120 characters. */
export const itemDescription = (productName: string, credits: number): string =>
  [...(productName.trim() || `${credits} 积分`)].slice(0, 120).join('');

/** Minutes before each retry: about 1, 2, 5, 10, 30 minutes, then hourly for about a day. */
const GAPS = [1, 2, 5, 10, 30, 60] as const;
export const MAX_SHIPPING_ATTEMPTS = 30;

/** The minute of the next attempt after `attempt` failed, or null when the schedule has run out. */
export function nextShippingAttempt(attempt: number, nowMinute: number, dueMinute: number): number | null {
  if (attempt + 1 >= MAX_SHIPPING_ATTEMPTS) return null;
  const gap = GAPS[Math.min(attempt, GAPS.length - 1)]!;
  return Math.max(nowMinute + gap, dueMinute + 1);
}
