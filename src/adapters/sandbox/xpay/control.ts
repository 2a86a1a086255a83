// Simulator-only controls under /xpaysim/*: what the phone (wx.requestVirtualPayment) and a tester do.
import { clientPaySig, sameHex, userSignature } from '../../payment/xpay/sign';
import { json, readJsonObject } from '../http';
import { parseXpayFaults, type XpayFaults } from './faults';
import type { Pusher } from './pusher';
import { newWxId, orderView, type XpayOrder, type XpayState } from './state';

export interface XpayControlDeps {
  readonly state: XpayState;
  readonly offerId: string;
  readonly appKeys: { readonly 0: string; readonly 1: string };
  /** The user's current session_key, as the login simulator last issued it. */
  readonly sessionKeyOf: (openid: string) => string | undefined;
  readonly pusher: Pusher;
  readonly nowMs: () => number;
  readonly deliverPush: (order: XpayOrder) => void;
  readonly finishRefund: (refundOrderId: string, outcome: 'SUCCESS' | 'FAILED') => boolean;
  getFaults(): XpayFaults;
  setFaults(f: XpayFaults): void;
}

/** wx.requestVirtualPayment's `fail` answer: errCode as the client would see it (brief §1.4). */
const clientFail = (errCode: number | string, why: string) =>
  json({ errMsg: `requestVirtualPayment:fail ${why}`, errCode }, 400);
const OUT_TRADE_NO = /^(?!_)[0-9A-Za-z_\-|*@]{8,32}$/;

export function xpayControlRoutes(d: XpayControlDeps) {
  /** The checks the WeChat client and xpay make, then the payment (status 2) and the delivery push. */
  async function requestVirtualPayment(req: Request): Promise<Response> {
    const b = await readJsonObject(req);
    if (!b) return clientFail(-15016, 'body must be a JSON object');
    const { signData, paySig, signature, mode, openid } = b;
    if (mode !== 'short_series_goods') return clientFail(-15016, 'mode must be short_series_goods');
    if (typeof signData !== 'string' || typeof openid !== 'string')
      return clientFail(-15016, 'signData/openid');
    let s: Record<string, unknown>;
    try {
      s = JSON.parse(signData) as Record<string, unknown>;
    } catch {
      return clientFail(-15016, 'signData is not JSON');
    }
    if (typeof s.offerId !== 'string') return clientFail(-15016, "field offerId doesn't expect an uint32");
    if (s.offerId !== d.offerId) return clientFail(-15016, 'unknown offerId');
    const env = s.env ?? 0;
    if (env !== 0 && env !== 1) return clientFail(-15016, 'env must be 0 or 1');
    if (s.currencyType !== 'CNY') return clientFail(-15016, 'currencyType must be CNY');
    if (!Number.isInteger(s.buyQuantity) || (s.buyQuantity as number) < 1)
      return clientFail(-15016, 'buyQuantity');
    if (typeof s.outTradeNo !== 'string' || !OUT_TRADE_NO.test(s.outTradeNo))
      return clientFail(-15016, 'outTradeNo');
    if (typeof paySig !== 'string' || !sameHex(paySig, clientPaySig(d.appKeys[env], signData)))
      return clientFail(-15006, 'paySig does not verify');
    const sessionKey = d.sessionKeyOf(openid);
    if (
      !sessionKey ||
      typeof signature !== 'string' ||
      !sameHex(signature, userSignature(sessionKey, signData))
    )
      return clientFail(-15005, 'SIGNATURE_INVALID (stale or unknown session_key)');
    const price = typeof s.productId === 'string' ? d.state.items.get(s.productId) : undefined;
    if (price === undefined || price !== s.goodsPrice)
      return clientFail(-15013, 'goodsPrice differs from the published item');
    const existing = d.state.orders.get(s.outTradeNo);
    if (existing && existing.status !== 1)
      return clientFail(-15016, `order ${s.outTradeNo} already ${existing.status}`);
    const paidFee = price * (s.buyQuantity as number);
    const order: XpayOrder = {
      orderId: s.outTradeNo,
      wxOrderId: newWxId('W'),
      openid,
      env,
      orderType: b.platform === 'ios' ? 7 : 0,
      status: 2,
      productId: s.productId as string,
      quantity: s.buyQuantity as number,
      attach: typeof s.attach === 'string' ? s.attach : '',
      orderFee: paidFee,
      paidFee,
      leftFee: paidFee,
      paidTimeMs: d.nowMs(),
      provideTimeMs: 0,
      // Apple IAP orders carry no WeChat Pay transaction.
      transactionId: b.platform === 'ios' ? '' : newWxId('42'),
      provideNotified: 0,
    };
    d.state.orders.set(order.orderId, order);
    d.deliverPush(order);
    return json({
      errMsg: 'requestVirtualPayment:ok',
      order_id: order.orderId,
      wx_order_id: order.wxOrderId,
    });
  }

  return async (req: Request, url: URL): Promise<Response | null> => {
    const path = url.pathname;
    if (!path.startsWith('/xpaysim/')) return null;
    if (req.method === 'POST' && path === '/xpaysim/request-virtual-payment')
      return requestVirtualPayment(req);
    const om = /^\/xpaysim\/orders\/([^/]+)(\/push)?$/.exec(path);
    if (om && req.method === 'GET' && !om[2]) {
      const o = d.state.orders.get(decodeURIComponent(om[1]!));
      return o
        ? json({ ...orderView(o), openid: o.openid, provide_notified: o.provideNotified })
        : json({ error: 'no such order' }, 404);
    }
    if (om && req.method === 'POST' && om[2]) {
      const o = d.state.orders.get(decodeURIComponent(om[1]!));
      if (!o || o.status < 2) return json({ error: 'no paid order' }, 409);
      d.deliverPush(o);
      return json({ ok: true });
    }
    const rm = /^\/xpaysim\/refunds\/([^/]+)\/(succeed|fail)$/.exec(path);
    if (rm && req.method === 'POST')
      return d.finishRefund(decodeURIComponent(rm[1]!), rm[2] === 'succeed' ? 'SUCCESS' : 'FAILED')
        ? json({ ok: true })
        : json({ error: 'no such refund in progress' }, 409);
    if (path === '/xpaysim/items' && req.method === 'POST') {
      const b = await readJsonObject(req);
      const id = b?.id;
      const price = b?.price;
      if (
        typeof id !== 'string' ||
        !/^[A-Za-z0-9_-]{1,64}$/.test(id) ||
        !Number.isInteger(price) ||
        (price as number) <= 0
      )
        return json({ error: 'expected {id: [A-Za-z0-9_-]{1,64}, price: fen > 0}' }, 400);
      d.state.items.set(id, price as number);
      return json({ id, price });
    }
    if (path === '/xpaysim/pushes' && req.method === 'GET') return json(d.pusher.log());
    if (path === '/xpaysim/faults' && req.method === 'GET') return json(d.getFaults());
    if (path === '/xpaysim/faults' && req.method === 'POST') {
      const f = parseXpayFaults(await readJsonObject(req));
      if (typeof f === 'string') return json({ error: f }, 400);
      d.setFaults(f);
      return json(f);
    }
    return json({ error: 'unknown xpay simulator control' }, 404);
  };
}
