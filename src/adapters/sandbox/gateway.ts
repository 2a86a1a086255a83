import {
  GatewayCode,
  OUT_NO_PATTERN,
  PREPAY_TTL_MS,
  RFC3339_PATTERN,
  toRfc3339Beijing,
} from '../payment/gateway/contract';
import { type Handler, json, readJsonObject } from './http';
import { digits, nonceStr, paySign } from './paysign';
import type { SandboxContext, Trade } from './state';

/** `{code, message, data?}` with HTTP 200: the gateway contract puts decisions in `code`. */
const envelope = (code: number, message: string, data?: unknown) =>
  json(data === undefined ? { code, message } : { code, message, data });

const isOutNo = (v: unknown): v is string => typeof v === 'string' && OUT_NO_PATTERN.test(v);
const isAmount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const isText = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}

const queryData = (t: Trade) => ({
  trade_state: t.state,
  transaction_id: t.transactionId,
  out_trade_no: t.outTradeNo,
  total_fen: t.totalFen,
  success_time: t.successTime ? toRfc3339Beijing(t.successTime) : null,
});

/** The gateway contract of docs/gateway-contract.md: `POST /api/pay/*`. */
export function gatewayRoutes(ctx: SandboxContext): Handler {
  const { trades, byPrepay, refunds } = ctx.state;

  const create = (b: Record<string, unknown>) => {
    const { outTradeNo, description, totalFen, openid, notifyUrl, timeExpire } = b;
    if (!isOutNo(outTradeNo) || !isText(description, 127) || !isAmount(totalFen) || !isText(openid, 128)) {
      return envelope(GatewayCode.INVALID_PARAMS, '参数错误');
    }
    if (!isHttpUrl(notifyUrl) || typeof timeExpire !== 'string' || !RFC3339_PATTERN.test(timeExpire)) {
      return envelope(GatewayCode.INVALID_PARAMS, '参数错误: notifyUrl 或 timeExpire');
    }
    const expire = new Date(timeExpire);
    const now = ctx.now();
    let t = trades.get(outTradeNo);
    if (t && (t.state === 'SUCCESS' || t.state === 'REFUND'))
      return envelope(GatewayCode.TRADE_PAID, '订单已支付');
    if (t && t.state !== 'NOTPAY' && t.state !== 'USERPAYING')
      return envelope(GatewayCode.REFUSED, '订单已关闭');
    if (
      t &&
      (t.totalFen !== totalFen || t.openid !== openid || t.timeExpire.getTime() !== expire.getTime())
    ) {
      return envelope(GatewayCode.CONFLICT, '商户订单号重复且参数不一致');
    }
    if (expire.getTime() <= now.getTime()) return envelope(GatewayCode.REFUSED, '订单已过期');
    if (!t) {
      t = {
        ...{ outTradeNo, description, totalFen, openid, notifyUrl, timeExpire: expire, state: 'NOTPAY' },
        ...{ prepayId: null, prepayAt: null, transactionId: null, successTime: null, refundedFen: 0 },
      };
      trades.set(outTradeNo, t);
    }
    if (!t.prepayId || !t.prepayAt || now.getTime() - t.prepayAt.getTime() >= PREPAY_TTL_MS) {
      t.prepayId = `wx${digits(32)}`;
      t.prepayAt = now;
      byPrepay.set(t.prepayId, outTradeNo);
    }
    // Fresh timeStamp/nonce/paySign on every call, the prepay itself reused (WeChat's rule).
    const timeStamp = String(Math.floor(now.getTime() / 1000));
    const nonce = nonceStr();
    const packageValue = `prepay_id=${t.prepayId}`;
    const sign = paySign(ctx.key, ctx.appid, timeStamp, nonce, packageValue);
    return envelope(GatewayCode.OK, '创建支付成功', {
      ...{
        appId: ctx.appid,
        timeStamp,
        nonceStr: nonce,
        packageValue,
        signType: 'RSA',
        paySign: sign,
        outTradeNo,
      },
    });
  };

  const query = (b: Record<string, unknown>) => {
    const t = isOutNo(b.outTradeNo) ? trades.get(b.outTradeNo) : undefined;
    return t
      ? envelope(GatewayCode.OK, '查询成功', queryData(t))
      : envelope(GatewayCode.NOT_FOUND, '交易不存在');
  };

  const close = (b: Record<string, unknown>) => {
    if (!isOutNo(b.outTradeNo)) return envelope(GatewayCode.INVALID_PARAMS, '参数错误');
    const t = trades.get(b.outTradeNo);
    if (t?.state === 'SUCCESS' || t?.state === 'REFUND')
      return envelope(GatewayCode.TRADE_PAID, '订单已支付');
    if (!t) {
      // A tombstone, so a late create for an expired order can never start a payment.
      const at = ctx.now();
      trades.set(b.outTradeNo, {
        ...{
          outTradeNo: b.outTradeNo,
          description: '',
          totalFen: 0,
          openid: '',
          notifyUrl: '',
          timeExpire: at,
        },
        ...{
          state: 'CLOSED',
          prepayId: null,
          prepayAt: null,
          transactionId: null,
          successTime: null,
          refundedFen: 0,
        },
      });
    } else if (t.state !== 'REVOKED') t.state = 'CLOSED';
    return envelope(GatewayCode.OK, '关闭成功', { out_trade_no: b.outTradeNo, trade_state: 'CLOSED' });
  };

  const refund = (b: Record<string, unknown>) => {
    const { outTradeNo, outRefundNo, refundFen, totalFen, reason } = b;
    if (!isOutNo(outTradeNo) || !isOutNo(outRefundNo) || !isAmount(refundFen) || !isAmount(totalFen)) {
      return envelope(GatewayCode.INVALID_PARAMS, '参数错误');
    }
    const existing = refunds.get(outRefundNo);
    if (existing) {
      const same = existing.outTradeNo === outTradeNo && existing.refundFen === refundFen;
      return same
        ? envelope(GatewayCode.OK, '退款成功', refundData(existing))
        : envelope(GatewayCode.CONFLICT, '退款单号重复且参数不一致');
    }
    const t = trades.get(outTradeNo);
    if (!t) return envelope(GatewayCode.NOT_FOUND, '交易不存在');
    if (t.state !== 'SUCCESS' && t.state !== 'REFUND') return envelope(GatewayCode.REFUSED, '订单未支付');
    if (totalFen !== t.totalFen) return envelope(GatewayCode.INVALID_PARAMS, '订单金额不一致');
    if (t.refundedFen + refundFen > t.totalFen) return envelope(GatewayCode.REFUSED, '退款金额超过可退金额');
    const r = {
      ...{ outRefundNo, outTradeNo, refundId: `50${digits(30)}`, refundFen, totalFen },
      ...{ reason: typeof reason === 'string' ? reason : '', status: 'SUCCESS' as const },
    };
    refunds.set(outRefundNo, r);
    t.refundedFen += refundFen;
    t.state = 'REFUND';
    return envelope(GatewayCode.OK, '退款成功', refundData(r));
  };

  const refundQuery = (b: Record<string, unknown>) => {
    const r = isOutNo(b.outRefundNo) ? refunds.get(b.outRefundNo) : undefined;
    return r
      ? envelope(GatewayCode.OK, '查询成功', refundData(r))
      : envelope(GatewayCode.NOT_FOUND, '退款不存在');
  };

  const routes: Record<string, (b: Record<string, unknown>) => Response> = {
    '/api/pay/create': create,
    '/api/pay/query-status': query,
    '/api/pay/close': close,
    '/api/pay/refund': refund,
    '/api/pay/refund-query': refundQuery,
  };

  return async (req, url) => {
    const route = routes[url.pathname];
    if (!route || req.method !== 'POST') return null;
    const body = await readJsonObject(req);
    return body
      ? route(body)
      : json({ code: GatewayCode.INVALID_PARAMS, message: '请求体不是JSON对象' }, 400);
  };
}

const refundData = (r: {
  outRefundNo: string;
  outTradeNo: string;
  refundId: string;
  status: string;
  refundFen: number;
}) => ({
  out_refund_no: r.outRefundNo,
  out_trade_no: r.outTradeNo,
  refund_id: r.refundId,
  status: r.status,
  refund_fen: r.refundFen,
});
