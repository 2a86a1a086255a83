// The Payments port over WeChat Pay v3 (JSAPI, direct merchant).
import type { KeyObject } from 'node:crypto';
import type { PaymentParams, Payments, ProviderError, TradeStatus } from '../../../domain/payment';
import type { Clock, Random } from '../../../domain/ports';
import { err, ok, type Result } from '../../../domain/result';
import type { ApiClient } from './client';
import type { WechatPayConfig } from './config';
import {
  NONCE_ALPHABET,
  parsePrivateKey,
  paySignMessage,
  rsaSign,
  toBeijingRfc3339,
  unixSeconds,
} from './crypto';
import { apiError, isNotFound, isStateDependent, toRefundStatus, toTradeStatus } from './mapping';

const unavailable = (message: string): Result<never, ProviderError> =>
  err({ kind: 'provider_unavailable', message });
const NOT_FOUND: TradeStatus = { state: 'NOT_FOUND', transactionId: null, amountFen: null, paidAt: null };
const tradePath = (no: string) => `/v3/pay/transactions/out-trade-no/${encodeURIComponent(no)}`;

export function createWechatPayPayments(
  config: WechatPayConfig,
  api: ApiClient,
  deps: { clock: Clock; random: Random },
): Payments<PaymentParams> {
  const key: KeyObject = parsePrivateKey(config.merchantPrivateKeyPem);

  /** Fresh timeStamp/nonceStr/paySign on every call, even for a reused prepay_id. */
  function paymentParams(prepayId: string, outTradeNo: string): PaymentParams {
    const timeStamp = unixSeconds(deps.clock.now());
    const nonceStr = deps.random.string(32, NONCE_ALPHABET);
    const packageValue = `prepay_id=${prepayId}`;
    const paySign = rsaSign(paySignMessage(config.appid, timeStamp, nonceStr, packageValue), key);
    return { appId: config.appid, timeStamp, nonceStr, packageValue, signType: 'RSA', paySign, outTradeNo };
  }

  async function query(outTradeNo: string): Promise<Result<TradeStatus, ProviderError>> {
    const r = await api.call('GET', `${tradePath(outTradeNo)}?mchid=${config.mchid}`);
    if (!r.ok) return r;
    if (isNotFound(r.value)) return ok(NOT_FOUND);
    if (r.value.status !== 200 || !r.value.json) return err(apiError(r.value, 'query'));
    const t = r.value.json;
    // The notification path refuses another merchant's or mini-program's trade; so must the query.
    if (t.out_trade_no !== outTradeNo || t.mchid !== config.mchid || t.appid !== config.appid)
      return unavailable(
        `query ${outTradeNo}: answer is about ${String(t.out_trade_no)}/${String(t.mchid)}/${String(t.appid)}`,
      );
    const status = toTradeStatus(t);
    return typeof status === 'string' ? unavailable(`query ${outTradeNo}: ${status}`) : ok(status);
  }

  return {
    // No prepay cache: re-posting identical parameters returns the order's current prepay_id,
    // and it also surfaces "closed"/"paid" which a cache would hide.
    async createPayment(req) {
      const r = await api.call('POST', '/v3/pay/transactions/jsapi', {
        appid: config.appid,
        mchid: config.mchid,
        description: req.description,
        out_trade_no: req.outTradeNo,
        time_expire: toBeijingRfc3339(req.expiresAt),
        notify_url: req.notifyUrl,
        amount: { total: req.amountFen, currency: 'CNY' },
        payer: { openid: req.openid },
      });
      if (!r.ok) return r;
      const prepayId = r.value.json?.prepay_id;
      if (r.value.status === 200 && typeof prepayId === 'string' && prepayId !== '')
        return ok(paymentParams(prepayId, req.outTradeNo));
      if (r.value.status < 400)
        return unavailable(`prepay ${req.outTradeNo}: ${r.value.status} without prepay_id`);
      const rejection = apiError(r.value, `prepay ${req.outTradeNo}`);
      if (!isStateDependent(r.value)) return err(rejection);
      // "Order number used / closed / paid" — the trade's state says which one it really is.
      const q = await query(req.outTradeNo);
      if (!q.ok) return err(rejection);
      if (q.value.state === 'SUCCESS' || q.value.state === 'REFUND')
        return err({
          kind: 'provider_rejected',
          code: 'ORDERPAID',
          message: `prepay ${req.outTradeNo}: already paid`,
        });
      if (q.value.state === 'CLOSED' || q.value.state === 'REVOKED' || q.value.state === 'PAYERROR')
        return err({
          kind: 'provider_rejected',
          code: 'ORDER_CLOSED',
          message: `prepay ${req.outTradeNo}: trade is ${q.value.state}`,
        });
      return err(rejection);
    },

    query,

    // The close answer never decides: a payment can land concurrently, so the follow-up query does.
    async close(outTradeNo) {
      const r = await api.call('POST', `${tradePath(outTradeNo)}/close`, { mchid: config.mchid });
      if (!r.ok) return r;
      const q = await query(outTradeNo);
      if (!q.ok) return q;
      switch (q.value.state) {
        case 'SUCCESS':
        case 'REFUND':
          return ok('already_paid');
        case 'CLOSED':
        case 'REVOKED':
        case 'PAYERROR':
        case 'NOT_FOUND':
          return ok('closed');
        default:
          if (r.value.status >= 400) return err(apiError(r.value, `close ${outTradeNo}`));
          return unavailable(`close ${outTradeNo}: accepted but the trade is still ${q.value.state}`);
      }
    },

    async refund(req) {
      const r = await api.call('POST', '/v3/refund/domestic/refunds', {
        out_trade_no: req.outTradeNo,
        out_refund_no: req.outRefundNo,
        ...(req.reason ? { reason: req.reason } : {}), // WeChat rejects empty strings and nulls
        ...(req.notifyUrl ? { notify_url: req.notifyUrl } : {}),
        amount: { refund: req.refundFen, total: req.totalFen, currency: 'CNY' },
      });
      if (!r.ok) return r;
      if (r.value.status !== 200 || !r.value.json) return err(apiError(r.value, `refund ${req.outRefundNo}`));
      const s = toRefundStatus(r.value.json);
      return typeof s === 'string' ? unavailable(`refund ${req.outRefundNo}: ${s}`) : ok(s);
    },

    async queryRefund(outRefundNo) {
      const r = await api.call('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`);
      if (!r.ok) return r;
      if (r.value.status !== 200 || !r.value.json)
        return err(apiError(r.value, `refund query ${outRefundNo}`));
      const s = toRefundStatus(r.value.json);
      return typeof s === 'string' ? unavailable(`refund query ${outRefundNo}: ${s}`) : ok(s);
    },
  };
}
