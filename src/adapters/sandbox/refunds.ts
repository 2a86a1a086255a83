import { GatewayCode } from '../payment/gateway/contract';
import { digits } from './paysign';
import type { Refund, SandboxContext } from './state';
import { envelope, isAmount, isOutNo } from './validate';

type Route = (b: Record<string, unknown>) => Response;

/** `/api/pay/refund` and `/api/pay/refund-query` (docs/gateway-contract.md §4–5); always SUCCESS at once. */
export function refundRoutes(ctx: SandboxContext): Record<string, Route> {
  const { trades, refunds } = ctx.state;

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
    const refundId = `50${digits(30)}`;
    const why = typeof reason === 'string' ? reason : '';
    const r: Refund = {
      outRefundNo,
      outTradeNo,
      refundId,
      refundFen,
      totalFen,
      reason: why,
      status: 'SUCCESS',
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

  return { '/api/pay/refund': refund, '/api/pay/refund-query': refundQuery };
}

const refundData = (r: Refund) => ({
  out_refund_no: r.outRefundNo,
  out_trade_no: r.outTradeNo,
  refund_id: r.refundId,
  status: r.status,
  refund_fen: r.refundFen,
});
