import { GatewayCode, PREPAY_TTL_MS, RFC3339_PATTERN, toRfc3339Beijing } from '../payment/gateway/contract';
import { type Handler, json, readJsonObject } from './http';
import type { Notifier } from './notifier';
import { digits, nonceStr, paySign } from './paysign';
import { refundRoutes } from './refunds';
import { newTrade, type SandboxContext, type Trade } from './state';
import { envelope, isAmount, isHttpUrl, isOutNo, isText } from './validate';

const queryData = (t: Trade) =>
  t.queriesLost
    ? {
        trade_state: 'NOTPAY',
        transaction_id: null,
        out_trade_no: t.outTradeNo,
        total_fen: t.totalFen,
        success_time: null,
      }
    : {
        trade_state: t.state,
        transaction_id: t.transactionId,
        out_trade_no: t.outTradeNo,
        total_fen: t.totalFen,
        success_time: t.successTime ? toRfc3339Beijing(t.successTime) : null,
      };

/** The gateway contract of docs/gateway-contract.md: `POST /api/pay/*`. */
export function gatewayRoutes(ctx: SandboxContext, notifier: Notifier): Handler {
  const { trades, byPrepay } = ctx.state;

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
      t = newTrade({ outTradeNo, description, totalFen, openid, notifyUrl, timeExpire: expire });
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
    const data = {
      appId: ctx.appid,
      timeStamp,
      nonceStr: nonce,
      packageValue,
      signType: 'RSA',
      paySign: sign,
    };
    return envelope(GatewayCode.OK, '创建支付成功', { ...data, outTradeNo });
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
      const tombstone = newTrade({
        outTradeNo: b.outTradeNo,
        description: '',
        totalFen: 0,
        openid: '',
        notifyUrl: '',
        timeExpire: at,
      });
      tombstone.state = 'CLOSED';
      trades.set(b.outTradeNo, tombstone);
    } else if (t.state !== 'REVOKED') t.state = 'CLOSED';
    return envelope(GatewayCode.OK, '关闭成功', { out_trade_no: b.outTradeNo, trade_state: 'CLOSED' });
  };

  /** The day's statement (Beijing calendar day): trades paid and refunds succeeded in it. */
  const statement = (b: Record<string, unknown>) => {
    const date = b.date;
    if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date))
      return envelope(GatewayCode.INVALID_PARAMS, '参数错误: date');
    const onDay = (at: Date | null) => at !== null && toRfc3339Beijing(at).startsWith(date);
    const paid = [...trades.values()].filter(
      (t) => (t.state === 'SUCCESS' || t.state === 'REFUND') && onDay(t.successTime),
    );
    const refunded = [...ctx.state.refunds.values()].filter(
      (r) => r.status === 'SUCCESS' && onDay(r.successTime),
    );
    return envelope(GatewayCode.OK, '查询成功', {
      date,
      trades: paid.map((t) => ({
        outTradeNo: t.outTradeNo,
        transactionId: t.transactionId,
        totalFen: t.statementFen ?? t.totalFen,
        successTime: t.successTime ? toRfc3339Beijing(t.successTime) : null,
      })),
      refunds: refunded.map((r) => ({
        outRefundNo: r.outRefundNo,
        outTradeNo: r.outTradeNo,
        refundFen: r.refundFen,
      })),
    });
  };

  const routes: Record<string, (b: Record<string, unknown>) => Response> = {
    '/api/pay/statement': statement,
    '/api/pay/create': create,
    '/api/pay/query-status': query,
    '/api/pay/close': close,
    ...refundRoutes(ctx, notifier),
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
