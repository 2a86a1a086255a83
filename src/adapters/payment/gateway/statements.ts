import { isFen } from '../../../domain/money';
import type { ProviderError, Statements } from '../../../domain/payment';
import { err, ok } from '../../../domain/result';
import type { StatementRefund, StatementTrade } from '../../../domain/statement';
import { OUT_NO_PATTERN, RFC3339_PATTERN } from './contract';
import { type Fetch, postGateway, str } from './http';

const unavailable = (message: string) => err<ProviderError>({ kind: 'provider_unavailable', message });

const trade = (v: unknown): StatementTrade | null => {
  const t = v as Record<string, unknown>;
  if (!t || typeof t !== 'object' || typeof t.outTradeNo !== 'string' || !OUT_NO_PATTERN.test(t.outTradeNo))
    return null;
  if (!isFen(t.totalFen)) return null;
  const paidAt =
    typeof t.successTime === 'string' && RFC3339_PATTERN.test(t.successTime) ? new Date(t.successTime) : null;
  return {
    outTradeNo: t.outTradeNo,
    transactionId: str(t.transactionId) ? t.transactionId : null,
    amountFen: t.totalFen,
    paidAt,
  };
};

const refund = (v: unknown): StatementRefund | null => {
  const r = v as Record<string, unknown>;
  if (!r || typeof r !== 'object' || typeof r.outRefundNo !== 'string' || typeof r.outTradeNo !== 'string')
    return null;
  return isFen(r.refundFen)
    ? { outRefundNo: r.outRefundNo, outTradeNo: r.outTradeNo, refundFen: r.refundFen }
    : null;
};

/**
 * `POST /api/pay/statement {date}` (docs/gateway-contract.md §8). A statement not ready yet, or one
 * with a row we cannot read, is "unavailable": a partial statement would report false differences.
 */
export function createGatewayStatements(opts: {
  baseUrl: string;
  fetch?: Fetch;
  timeoutMs: number;
}): Statements {
  const fetchFn = opts.fetch ?? fetch;
  return {
    async download(date) {
      const res = await postGateway(fetchFn, opts.baseUrl, '/api/pay/statement', { date }, opts.timeoutMs);
      if (!res.ok) return res;
      if (!res.value.accepted)
        return unavailable(`gateway statement ${date}: ${res.value.message || res.value.code}`);
      const d = res.value.data;
      if (d.date !== date || !Array.isArray(d.trades) || !Array.isArray(d.refunds))
        return unavailable('gateway /api/pay/statement: malformed statement');
      const trades = d.trades.map(trade);
      const refunds = d.refunds.map(refund);
      if (trades.includes(null) || refunds.includes(null))
        return unavailable('gateway /api/pay/statement: malformed row');
      return ok({ date, trades: trades as StatementTrade[], refunds: refunds as StatementRefund[] });
    },
  };
}
