import { GatewayCode, REFUND_STATUSES } from '../payment/gateway/contract';
import { type Handler, json, readJsonObject } from './http';
import type { Notifier } from './notifier';
import { digits } from './paysign';
import { holdsMoney, type Refund, type RefundStatus, type SandboxContext } from './state';
import { envelope, isAmount, isHttpUrl, isOutNo } from './validate';

type Route = (b: Record<string, unknown>) => Response;

/**
 * `/api/pay/refund` and `/api/pay/refund-query` (docs/gateway-contract.md §4–5). A new refund gets the
 * status set by `/sandbox/refund-settings` (SUCCESS unless changed); a final status is also sent to
 * the request's `notifyUrl` as the signed refund callback (§7).
 */
export function refundRoutes(ctx: SandboxContext, notifier: Notifier): Record<string, Route> {
  const { trades, refunds, refundSettings: settings } = ctx.state;

  const create = (b: Record<string, unknown>): Response => {
    const { outTradeNo, outRefundNo, refundFen, totalFen, reason, notifyUrl } = b;
    if (!isOutNo(outTradeNo) || !isOutNo(outRefundNo) || !isAmount(refundFen) || !isAmount(totalFen)) {
      return envelope(GatewayCode.INVALID_PARAMS, '参数错误');
    }
    if (notifyUrl !== undefined && !isHttpUrl(notifyUrl))
      return envelope(GatewayCode.INVALID_PARAMS, '参数错误: notifyUrl');
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
    const r: Refund = {
      outRefundNo,
      outTradeNo,
      refundId: `50${digits(30)}`,
      refundFen,
      totalFen,
      reason: typeof reason === 'string' ? reason : '',
      notifyUrl: typeof notifyUrl === 'string' ? notifyUrl : null,
      status: settings.status,
      successTime: settings.status === 'SUCCESS' ? ctx.now() : null,
    };
    refunds.set(outRefundNo, r);
    if (holdsMoney(r)) t.refundedFen += refundFen;
    t.state = 'REFUND';
    if (r.status !== 'PROCESSING') notifier.notifyRefund(r);
    return envelope(GatewayCode.OK, '退款成功', refundData(r));
  };

  const refund = (b: Record<string, unknown>): Response => {
    const answer = create(b);
    if (settings.dropAnswers <= 0) return answer;
    // Done, but the answer never arrives: the caller must treat the outcome as unknown.
    settings.dropAnswers -= 1;
    return json({ code: GatewayCode.INTERNAL, message: '网关内部错误' }, 500);
  };

  const refundQuery = (b: Record<string, unknown>) => {
    const r = isOutNo(b.outRefundNo) ? refunds.get(b.outRefundNo) : undefined;
    return r
      ? envelope(GatewayCode.OK, '查询成功', refundData(r))
      : envelope(GatewayCode.NOT_FOUND, '退款不存在');
  };

  return { '/api/pay/refund': refund, '/api/pay/refund-query': refundQuery };
}

const refundData = (r: Refund) => ({
  out_refund_no: r.outRefundNo,
  out_trade_no: r.outTradeNo,
  refund_id: r.refundId,
  status: r.status,
  refund_fen: r.refundFen,
});

const FORCED: Record<string, RefundStatus> = { succeed: 'SUCCESS', close: 'CLOSED', abnormal: 'ABNORMAL' };

/**
 * `/sandbox/refund-settings` and `/sandbox/refunds/{outRefundNo}[/succeed|close|abnormal]`: end a
 * PROCESSING refund as WeChat would, with (default) or without (`?notify=false`) the callback.
 */
export function refundControlRoutes(ctx: SandboxContext, notifier: Notifier): Handler {
  const { trades, refunds, refundSettings: settings } = ctx.state;

  function force(r: Refund, status: RefundStatus, notify: boolean): Response {
    // Forcing the same outcome again re-sends its callback: handy for duplicate-delivery tests.
    if (r.status !== 'PROCESSING' && r.status !== status)
      return json({ error: `refund is ${r.status}` }, 409);
    if (r.status === 'PROCESSING' && status !== 'SUCCESS') {
      const t = trades.get(r.outTradeNo);
      if (t) t.refundedFen -= r.refundFen;
    }
    r.status = status;
    if (status === 'SUCCESS') r.successTime ??= ctx.now();
    if (notify) notifier.notifyRefund(r);
    return json(refundData(r));
  }

  return async (req, url) => {
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/sandbox/refund-settings' && req.method === 'POST') {
      const b = (await readJsonObject(req)) ?? {};
      const status = REFUND_STATUSES.find((s) => s === b.status);
      if (b.status !== undefined && !status)
        return json({ error: `unknown status ${String(b.status)}` }, 400);
      if (
        b.drop_answers !== undefined &&
        !(Number.isSafeInteger(b.drop_answers) && (b.drop_answers as number) >= 0)
      )
        return json({ error: 'drop_answers must be a non-negative integer' }, 400);
      if (status) settings.status = status;
      if (b.drop_answers !== undefined) settings.dropAnswers = b.drop_answers as number;
      return json({ status: settings.status, drop_answers: settings.dropAnswers });
    }
    const m = /^\/sandbox\/refunds\/([^/]+)(?:\/(succeed|close|abnormal))?$/.exec(path);
    if (!m) return null;
    const r = refunds.get(decodeURIComponent(m[1] ?? ''));
    if (!r) return json({ error: 'refund not found' }, 404);
    if (m[2] && req.method === 'POST')
      return force(r, FORCED[m[2]]!, url.searchParams.get('notify') !== 'false');
    return !m[2] && req.method === 'GET' ? json(refundData(r)) : null;
  };
}
