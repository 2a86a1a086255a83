import type { ShippingInfo } from '../../domain/ports';
import type { ShippingResult } from '../../domain/shipping';
import { toBeijingRfc3339 } from '../payment/wechatpay/crypto';
import type { WechatApi } from './api';

/** Treat as done: already shipped (10060002) or nothing changed (10060023) — brief §2.5. */
const DONE: ReadonlySet<number> = new Set([10060002, 10060023]);
/**
 * Worth another try later: the payment is not visible yet (10060001, also shortly after payment),
 * system errors (10060012, 10060019, -1), quotas (45009, 45011), a token still refused after the retry.
 */
const RETRY: ReadonlySet<number> = new Set([
  10060001, 10060012, 10060019, -1, 45009, 45011, 40001, 40014, 42001,
]);

/** WeChat Pay transaction ids are 28+ digits; anything else (a gateway's own id) is not one. */
const TRANSACTION_ID = /^\d{20,32}$/;

export const UPLOAD_SHIPPING_PATH = '/wxa/sec/order/upload_shipping_info';

/**
 * `upload_shipping_info` for credits (virtual goods): `logistics_type` 3, unified delivery of one
 * item, the order named by its transaction id (or merchant id + out_trade_no), the payer's openid.
 */
export function createShippingInfo(opts: { readonly api: WechatApi; readonly mchid?: string }): ShippingInfo {
  return {
    async upload(request): Promise<ShippingResult> {
      const tx = request.transactionId;
      let orderKey: Record<string, unknown>;
      if (tx !== null && TRANSACTION_ID.test(tx)) orderKey = { order_number_type: 2, transaction_id: tx };
      else if (opts.mchid)
        orderKey = { order_number_type: 1, mchid: opts.mchid, out_trade_no: request.orderNo };
      else return { kind: 'rejected', reason: 'no WeChat Pay transaction id and no SHIPPING_MCHID' };
      const body = JSON.stringify({
        order_key: orderKey,
        logistics_type: 3,
        delivery_mode: 1,
        shipping_list: [{ item_desc: request.itemDesc }],
        upload_time: toBeijingRfc3339(request.uploadedAt),
        payer: { openid: request.payerOpenid },
      });
      const r = await opts.api.post(UPLOAD_SHIPPING_PATH, body);
      if (r.kind === 'ok') return { kind: 'uploaded' };
      if (r.kind === 'unknown') return { kind: 'retry', reason: r.detail };
      const reason = `errcode ${r.errcode}: ${r.errmsg.slice(0, 200)}`;
      if (DONE.has(r.errcode)) return { kind: 'already_shipped' };
      return { kind: RETRY.has(r.errcode) ? 'retry' : 'rejected', reason };
    },
  };
}
