// The Payments port over 小程序虚拟支付 (xpay), 道具直购 mode: one item (productId) per credits package.
import type {
  Payments,
  ProviderError,
  RefundStatus,
  TradeStatus,
  VirtualPaymentParams,
} from '../../../domain/payment';
import { err, ok, type Result } from '../../../domain/result';
import { ALREADY_DONE, NO_SUCH_DATA, type WechatPost, xpayCaller } from './api';
import type { XpayConfig } from './config';
import {
  IOS_PAY_ORDER,
  PAY_ORDER_TYPES,
  readOrder,
  refundStateOf,
  toTradeStatus,
  type XpayOrder,
} from './mapping';
import { clientPaySig, userSignature } from './sign';

/** query_order and refund_order name the buyer: our records know whose order (or refund) it is. */
export interface XpayLookup {
  openidOfOrder(outTradeNo: string): Promise<string | null>;
  openidOfRefund(outRefundNo: string): Promise<string | null>;
}

const unavailable = (message: string): Result<never, ProviderError> =>
  err({ kind: 'provider_unavailable', message });
const rejected = (message: string, code: string): Result<never, ProviderError> =>
  err({ kind: 'provider_rejected', message, code });
const NOT_FOUND: TradeStatus = { state: 'NOT_FOUND', transactionId: null, amountFen: null, paidAt: null };

/** Operators read this in the refund's outcome (admin refund answer, reviews): Apple decides iOS refunds. */
export const IOS_REFUND_REFUSED =
  'iOS 订单经 Apple IAP 支付，开发者无法发起退款：须由用户向 Apple 申请，Apple 通过 xpay_subscribe_ios_refund_query_notify 询问后决定';

export function createXpayPayments(
  config: XpayConfig,
  api: WechatPost,
  lookup: XpayLookup,
): Payments<VirtualPaymentParams> {
  const call = xpayCaller(config, api);

  /** query_order for one of our numbers (an order's or a refund's); null = WeChat has no such order. */
  async function queryOrder(
    orderId: string,
    openid: string | null,
  ): Promise<Result<XpayOrder | null, ProviderError>> {
    if (openid === null) return ok(null);
    const r = await call('query_order', { openid, env: config.env, order_id: orderId });
    if (!r.ok) return r.error.errcode === NO_SUCH_DATA ? ok(null) : err(r.error);
    const order = readOrder(r.value);
    if (typeof order === 'string') return unavailable(`query_order ${orderId}: ${order}`);
    if (order.orderId !== orderId)
      return unavailable(`query_order ${orderId}: answer is about ${order.orderId}`);
    return ok(order);
  }

  async function query(outTradeNo: string): Promise<Result<TradeStatus, ProviderError>> {
    const found = await queryOrder(outTradeNo, await lookup.openidOfOrder(outTradeNo));
    if (!found.ok) return found;
    if (found.value === null) return ok(NOT_FOUND);
    if (!PAY_ORDER_TYPES.includes(found.value.orderType))
      return unavailable(`query_order ${outTradeNo}: order_type ${found.value.orderType} is no payment`);
    const status = toTradeStatus(found.value);
    return typeof status === 'string' ? unavailable(`query_order ${outTradeNo}: ${status}`) : ok(status);
  }

  async function queryRefund(outRefundNo: string): Promise<Result<RefundStatus, ProviderError>> {
    const found = await queryOrder(outRefundNo, await lookup.openidOfRefund(outRefundNo));
    if (!found.ok) return found;
    if (found.value === null) return rejected(`query_order ${outRefundNo}: no such refund`, 'NOT_FOUND');
    const o = found.value;
    return ok({ refundId: o.wxOrderId ?? '', outRefundNo, status: refundStateOf(o.status) });
  }

  return {
    /**
     * No server call: the xpay order comes into being when the client calls wx.requestVirtualPayment
     * with these. Repeating it signs the same signData again (the session_key may have changed).
     */
    async createPayment(req) {
      if (!req.sessionKey || !req.providerProductId)
        return rejected(`pay ${req.outTradeNo}: session_key and productId are required`, 'MISSING_INPUT');
      // Serialised once; the client passes these exact bytes on, and both signatures cover them.
      const signData = JSON.stringify({
        offerId: config.offerId,
        buyQuantity: 1,
        env: config.env,
        currencyType: 'CNY',
        productId: req.providerProductId,
        goodsPrice: req.amountFen,
        outTradeNo: req.outTradeNo,
        attach: `order:${req.outTradeNo}`,
      });
      return ok({
        mode: 'short_series_goods',
        signData,
        paySig: clientPaySig(config.appKey, signData),
        signature: userSignature(req.sessionKey, signData),
        outTradeNo: req.outTradeNo,
      });
    },

    query,

    /**
     * xpay has no close API: nothing can stop a client that still holds signed parameters. The trade's
     * state decides — paid means `already_paid`; otherwise we stop selling it (`closed`), and a late
     * payment still reaches the settle use case through the push or a query (paid after cancel).
     */
    async close(outTradeNo) {
      const q = await query(outTradeNo);
      if (!q.ok) return q;
      return ok(q.value.state === 'SUCCESS' || q.value.state === 'REFUND' ? 'already_paid' : 'closed');
    },

    /**
     * Idempotent per refund number: a refund order WeChat already has is answered from query_order;
     * otherwise left_fee comes from the pay order, which also tells iOS (Apple) orders apart.
     */
    async refund(req) {
      const existing = await queryRefund(req.outRefundNo);
      if (existing.ok || existing.error.kind === 'provider_unavailable') return existing;
      const openid = await lookup.openidOfOrder(req.outTradeNo);
      const pay = await queryOrder(req.outTradeNo, openid);
      if (!pay.ok) return pay;
      if (pay.value === null || openid === null)
        return rejected(`refund ${req.outRefundNo}: WeChat has no order ${req.outTradeNo}`, 'NOT_FOUND');
      if (pay.value.orderType === IOS_PAY_ORDER) return rejected(IOS_REFUND_REFUSED, 'IOS_ORDER');
      const leftFee = pay.value.leftFee ?? 0;
      if (leftFee < req.refundFen) {
        // A concurrent call with this very number may have refunded it since our first look: its
        // refund order is the answer then, not a refusal (which would give the credits back).
        const again = await queryRefund(req.outRefundNo);
        if (again.ok || again.error.kind === 'provider_unavailable') return again;
        return rejected(`refund ${req.outRefundNo}: left_fee ${leftFee} < ${req.refundFen}`, 'LEFT_FEE');
      }
      const r = await call('refund_order', {
        openid,
        order_id: req.outTradeNo,
        refund_order_id: req.outRefundNo,
        left_fee: leftFee,
        refund_fee: req.refundFen,
        biz_meta: '',
        refund_reason: '0',
        req_from: '1',
        env: config.env,
      });
      if (!r.ok) return r.error.errcode === ALREADY_DONE ? queryRefund(req.outRefundNo) : err(r.error);
      const refundId = typeof r.value.refund_wx_order_id === 'string' ? r.value.refund_wx_order_id : '';
      // "只是启动退款任务成功": the outcome comes by xpay_refund_notify or query_order.
      return ok({ refundId, outRefundNo: req.outRefundNo, status: 'PROCESSING' });
    },

    queryRefund,

    /** iOS orders (order_type 7) are Apple's to refund (brief §1.10). */
    async refundRefusal(outTradeNo) {
      const found = await queryOrder(outTradeNo, await lookup.openidOfOrder(outTradeNo));
      if (!found.ok) return found;
      return ok(found.value?.orderType === IOS_PAY_ORDER ? IOS_REFUND_REFUSED : null);
    },

    /** WeChat still at 2 (paid, to deliver) after our grant: the push was lost, so tell it. */
    async confirmDelivery(outTradeNo) {
      const found = await queryOrder(outTradeNo, await lookup.openidOfOrder(outTradeNo));
      if (!found.ok) return found;
      const status = found.value?.status;
      if (status === undefined || status <= 1)
        return unavailable(`confirm ${outTradeNo}: WeChat does not show it paid (yet)`);
      if (status !== 2) return ok(undefined);
      const r = await call('notify_provide_goods', { order_id: outTradeNo, env: config.env });
      return r.ok || r.error.errcode === ALREADY_DONE ? ok(undefined) : err(r.error);
    },
  };
}
