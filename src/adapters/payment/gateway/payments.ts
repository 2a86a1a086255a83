import { isFen } from '../../../domain/money';
import type {
  PaymentParams,
  Payments,
  ProviderError,
  RefundStatus,
  TradeStatus,
} from '../../../domain/payment';
import { err, ok, type Result } from '../../../domain/result';
import { GatewayCode, isWireTradeState, REFUND_STATUSES, toRfc3339Beijing } from './contract';
import { type Envelope, type Fetch, postGateway, str } from './http';

export interface GatewayPaymentsOptions {
  /** e.g. `http://localhost:8081` — the seed's GATEWAY_URL. */
  readonly baseUrl: string;
  readonly fetch?: Fetch;
  readonly timeoutMs: number;
}

const unavailable = (message: string) => err<ProviderError>({ kind: 'provider_unavailable', message });
const rejected = (e: { code: number; message: string }) =>
  err<ProviderError>({
    kind: 'provider_rejected',
    message: e.message || `code ${e.code}`,
    code: String(e.code),
  });

/** `GatewayPayments`: the Payments port over the Java gateway contract (docs/gateway-contract.md). */
export function createGatewayPayments(opts: GatewayPaymentsOptions): Payments<PaymentParams> {
  const fetchFn = opts.fetch ?? fetch;
  const post = (path: string, body: unknown): Promise<Result<Envelope, ProviderError>> =>
    postGateway(fetchFn, opts.baseUrl, path, body, opts.timeoutMs);

  return {
    async createPayment(req) {
      const res = await post('/api/pay/create', {
        outTradeNo: req.outTradeNo,
        description: req.description,
        totalFen: req.amountFen,
        openid: req.openid,
        notifyUrl: req.notifyUrl,
        timeExpire: toRfc3339Beijing(req.expiresAt),
      });
      if (!res.ok) return res;
      if (!res.value.accepted) return rejected(res.value);
      const d = res.value.data;
      // Anything we would hand to wx.requestPayment must be well-formed and for this very trade.
      if (
        !str(d.appId) ||
        typeof d.timeStamp !== 'string' ||
        !/^\d{10}$/.test(d.timeStamp) ||
        !str(d.nonceStr) ||
        typeof d.packageValue !== 'string' ||
        !d.packageValue.startsWith('prepay_id=') ||
        d.signType !== 'RSA' ||
        !str(d.paySign) ||
        d.outTradeNo !== req.outTradeNo
      ) {
        return unavailable('gateway /api/pay/create: malformed payment data');
      }
      const params: PaymentParams = {
        appId: d.appId,
        timeStamp: d.timeStamp,
        nonceStr: d.nonceStr,
        packageValue: d.packageValue,
        signType: 'RSA',
        paySign: d.paySign,
        outTradeNo: req.outTradeNo,
      };
      return ok(params);
    },

    async query(outTradeNo) {
      const res = await post('/api/pay/query-status', { outTradeNo });
      if (!res.ok) return res;
      if (!res.value.accepted) {
        if (res.value.code === GatewayCode.NOT_FOUND) {
          return ok<TradeStatus>({ state: 'NOT_FOUND', transactionId: null, amountFen: null, paidAt: null });
        }
        return rejected(res.value);
      }
      const d = res.value.data;
      const paidAt = typeof d.success_time === 'string' ? new Date(d.success_time) : null;
      if (
        !isWireTradeState(d.trade_state) ||
        // The answer must name the trade we asked about: never settle order A on evidence for B.
        d.out_trade_no !== outTradeNo ||
        !(d.transaction_id == null || str(d.transaction_id)) ||
        !(d.total_fen == null || isFen(d.total_fen)) ||
        (paidAt !== null && Number.isNaN(paidAt.getTime()))
      ) {
        return unavailable('gateway /api/pay/query-status: malformed trade');
      }
      // A paid trade without its transaction id cannot be settled; treat the answer as unusable.
      if (d.trade_state === 'SUCCESS' && !str(d.transaction_id)) {
        return unavailable('gateway /api/pay/query-status: SUCCESS without transaction_id');
      }
      return ok<TradeStatus>({
        state: d.trade_state,
        transactionId: (d.transaction_id as string | null | undefined) ?? null,
        amountFen: (d.total_fen as number | null | undefined) ?? null,
        paidAt,
      });
    },

    async close(outTradeNo) {
      const res = await post('/api/pay/close', { outTradeNo });
      if (!res.ok) return res;
      if (res.value.accepted) {
        // "closed" lets the order be cancelled for good, so only an explicit CLOSED counts.
        if (res.value.data.trade_state !== 'CLOSED')
          return unavailable('gateway /api/pay/close: malformed answer');
        return ok('closed' as const);
      }
      if (res.value.code === GatewayCode.TRADE_PAID) return ok('already_paid' as const);
      return rejected(res.value);
    },

    async refund(req) {
      const res = await post('/api/pay/refund', {
        outTradeNo: req.outTradeNo,
        outRefundNo: req.outRefundNo,
        refundFen: req.refundFen,
        totalFen: req.totalFen,
        reason: req.reason,
        ...(req.notifyUrl ? { notifyUrl: req.notifyUrl } : {}),
      });
      return toRefund(res, '/api/pay/refund', req.outRefundNo);
    },

    async queryRefund(outRefundNo) {
      const res = await post('/api/pay/refund-query', { outRefundNo });
      return toRefund(res, '/api/pay/refund-query', outRefundNo);
    },
  };
}

function toRefund(
  res: Result<Envelope, ProviderError>,
  path: string,
  outRefundNo: string,
): Result<RefundStatus, ProviderError> {
  if (!res.ok) return res;
  if (!res.value.accepted) return rejected(res.value);
  const d = res.value.data;
  const status = REFUND_STATUSES.find((s) => s === d.status);
  if (!status || !str(d.refund_id) || d.out_refund_no !== outRefundNo) {
    return unavailable(`gateway ${path}: malformed refund`);
  }
  return ok({ refundId: d.refund_id, outRefundNo, status });
}
