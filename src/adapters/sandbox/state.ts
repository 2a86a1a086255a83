import type { WireTradeState } from '../payment/gateway/contract';
import { digits, type MerchantKey } from './paysign';

/** One trade as the simulated gateway/WeChat knows it. Mutable: the sandbox is in-memory only. */
export interface Trade {
  readonly outTradeNo: string;
  readonly description: string;
  readonly totalFen: number;
  readonly openid: string;
  readonly notifyUrl: string;
  readonly timeExpire: Date;
  state: WireTradeState;
  prepayId: string | null;
  prepayAt: Date | null;
  transactionId: string | null;
  successTime: Date | null;
  refundedFen: number;
}

export interface Refund {
  readonly outRefundNo: string;
  readonly outTradeNo: string;
  readonly refundId: string;
  readonly refundFen: number;
  readonly totalFen: number;
  readonly reason: string;
  status: 'SUCCESS' | 'PROCESSING' | 'CLOSED' | 'ABNORMAL';
}

export interface SandboxState {
  readonly trades: Map<string, Trade>;
  /** prepay_id → outTradeNo, so /sandbox/request-payment can find the trade from `package`. */
  readonly byPrepay: Map<string, string>;
  readonly refunds: Map<string, Refund>;
}

export const newState = (): SandboxState => ({ trades: new Map(), byPrepay: new Map(), refunds: new Map() });

/** A fresh, unpaid trade without a prepay yet. */
export function newTrade(
  t: Pick<Trade, 'outTradeNo' | 'description' | 'totalFen' | 'openid' | 'notifyUrl' | 'timeExpire'>,
): Trade {
  const empty = { prepayId: null, prepayAt: null, transactionId: null, successTime: null, refundedFen: 0 };
  return { ...t, state: 'NOTPAY', ...empty };
}

/** Marks the trade paid once; a second call keeps the first transaction id and time. */
export function markPaid(trade: Trade, now: Date): void {
  if (trade.state === 'SUCCESS') return;
  trade.state = 'SUCCESS';
  trade.transactionId = `4200${digits(24)}`;
  trade.successTime = now;
}

/** Debug view for GET /sandbox/trades/{outTradeNo}. */
export const tradeView = (t: Trade) => ({
  out_trade_no: t.outTradeNo,
  trade_state: t.state,
  description: t.description,
  total_fen: t.totalFen,
  openid: t.openid,
  notify_url: t.notifyUrl,
  time_expire: t.timeExpire.toISOString(),
  prepay_id: t.prepayId,
  transaction_id: t.transactionId,
  success_time: t.successTime?.toISOString() ?? null,
  refunded_fen: t.refundedFen,
});

/** What every sandbox route group shares. */
export interface SandboxContext {
  readonly appid: string;
  readonly key: MerchantKey;
  readonly state: SandboxState;
  readonly now: () => Date;
}
