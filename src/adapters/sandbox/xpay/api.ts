// The xpay server APIs as WeChat answers them (brief §1.7): access_token, pay_sig over the exact
// body with the AppKey of the body's env, then the operation. Always HTTP 200 with an errcode.
import { apiPaySig, sameHex } from '../../payment/xpay/sign';
import { json } from '../http';
import { takeApiFault, type XpayFaults } from './faults';
import { newWxId, orderView, type XpayOrder, type XpayState } from './state';

export interface XpayApiDeps {
  readonly state: XpayState;
  readonly appKeys: { readonly 0: string; readonly 1: string };
  /** The access_token check of the stable_token simulator (40001/42001 answers as WeChat's). */
  readonly checkToken: (
    url: URL,
  ) => { readonly ok: true } | { readonly errcode: number; readonly errmsg: string };
  readonly faults: () => XpayFaults;
  readonly nowMs: () => number;
  /** Starts a refund's asynchronous end (outcome per faults, then the refund push). */
  readonly refundStarted: (refund: XpayOrder, pay: XpayOrder) => void;
}

const fail = (errcode: number, errmsg: string) => json({ errcode, errmsg });
const isStr = (v: unknown): v is string => typeof v === 'string' && v !== '';
const MAX_BODY = 16 * 1024;

export function xpayApiRoutes(d: XpayApiDeps) {
  const { orders } = d.state;

  function queryOrder(b: Record<string, unknown>) {
    if (isStr(b.order_id) && isStr(b.wx_order_id)) return fail(268490002, '数据不存在');
    const o = isStr(b.order_id)
      ? orders.get(b.order_id)
      : [...orders.values()].find((x) => x.wxOrderId === b.wx_order_id);
    if (!o || o.env !== b.env) return fail(268490002, '数据不存在');
    if (o.openid !== b.openid) return fail(268490001, 'openid错误');
    const lagging = [2, 3, 4].includes(o.status) && d.nowMs() < o.paidTimeMs + d.faults().queryLagMs;
    return json({ errcode: 0, errmsg: 'ok', order: orderView(o, lagging) });
  }

  function notifyProvideGoods(b: Record<string, unknown>) {
    const o = isStr(b.order_id) ? orders.get(b.order_id) : undefined;
    if (!o || o.env !== b.env || o.orderType === 1 || o.orderType === 8) return fail(268490002, '数据不存在');
    if (o.status !== 2) return fail(268490004, '重复操作');
    o.status = 4;
    o.provideTimeMs = d.nowMs();
    o.provideNotified++;
    return json({ errcode: 0, errmsg: 'ok' });
  }

  function refundOrder(b: Record<string, unknown>) {
    const pay = isStr(b.order_id) ? orders.get(b.order_id) : undefined;
    if (!pay || pay.env !== b.env || (pay.orderType !== 0 && pay.orderType !== 7))
      return fail(268490002, '数据不存在');
    if (pay.openid !== b.openid) return fail(268490001, 'openid错误');
    const no = b.refund_order_id;
    if (!isStr(no) || !/^[A-Za-z0-9_-]{8,32}$/.test(no)) return fail(268490002, 'refund_order_id 格式错误');
    if (orders.has(no)) return fail(268490004, '重复操作');
    if (pay.orderType === 7) return fail(268490002, 'iOS订单不支持退款');
    if (![2, 3, 4].includes(pay.status) && pay.status !== 7) return fail(268490002, '订单状态不允许退款');
    if (b.left_fee !== pay.leftFee) return fail(268490016, 'left_fee不一致');
    const fee = b.refund_fee;
    if (typeof fee !== 'number' || !Number.isInteger(fee) || fee <= 0 || fee > pay.leftFee)
      return fail(268490002, 'refund_fee 错误');
    if (typeof b.refund_reason !== 'string' || !/^[0-5]$/.test(b.refund_reason))
      return fail(268490002, 'refund_reason 错误');
    if (typeof b.req_from !== 'string' || !/^[1-3]$/.test(b.req_from))
      return fail(268490002, 'req_from 错误');
    const refund: XpayOrder = {
      orderId: no,
      wxOrderId: newWxId('R'),
      openid: pay.openid,
      env: pay.env,
      orderType: 1,
      status: 1,
      productId: pay.productId,
      quantity: pay.quantity,
      attach: '',
      orderFee: fee,
      paidFee: 0,
      leftFee: 0,
      paidTimeMs: d.nowMs(),
      provideTimeMs: 0,
      transactionId: '',
      payOrderId: pay.orderId,
      refundFee: fee,
      provideNotified: 0,
    };
    orders.set(no, refund);
    d.refundStarted(refund, pay);
    return json({
      errcode: 0,
      errmsg: 'ok',
      refund_order_id: no,
      refund_wx_order_id: refund.wxOrderId,
      pay_order_id: pay.orderId,
      pay_wx_order_id: pay.wxOrderId,
    });
  }

  const OPS: Record<string, (b: Record<string, unknown>) => Response> = {
    query_order: queryOrder,
    notify_provide_goods: notifyProvideGoods,
    refund_order: refundOrder,
  };

  return async (req: Request, url: URL): Promise<Response | null> => {
    const m = /^\/xpay\/([a-z_]+)$/.exec(url.pathname);
    if (!m || req.method !== 'POST') return null;
    const op = OPS[m[1]!];
    if (!op) return fail(-1, `sandbox does not simulate ${m[1]}`);
    const token = d.checkToken(url);
    if (!('ok' in token)) return fail(token.errcode, token.errmsg);
    const raw = await req.text();
    if (raw.length > MAX_BODY) return fail(268490002, 'body too large');
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return fail(268490002, 'body is not JSON');
    }
    if (b.env !== 0 && b.env !== 1) return fail(268490002, 'env must be 0 or 1');
    // The exact bytes received, with the AppKey of the env the body names.
    const expected = apiPaySig(d.appKeys[b.env], url.pathname, raw);
    if (!sameHex(url.searchParams.get('pay_sig') ?? '', expected)) return fail(268490003, '签名错误');
    const fault = takeApiFault(d.faults(), m[1]!);
    if (fault) return fail(fault.errcode, 'sandbox fault');
    return op(b);
  };
}
