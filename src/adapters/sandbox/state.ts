import type { WireTradeState } from '../payment/gateway/contract';
import { digits, type MerchantKey } from './paysign';
import type { PushCredentials } from './wechat-push';
import type { TokenSimulator } from './wechat-token';

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
  /** Test knob: every query answers NOTPAY although the trade is paid (with a lost callback: lost everywhere but the statement). */
  queriesLost?: boolean;
  /** Test knob: the amount the daily statement reports instead of `totalFen`. */
  statementFen?: number;
}

export type RefundStatus = 'SUCCESS' | 'PROCESSING' | 'CLOSED' | 'ABNORMAL';

export interface Refund {
  readonly outRefundNo: string;
  readonly outTradeNo: string;
  readonly refundId: string;
  readonly refundFen: number;
  readonly totalFen: number;
  readonly reason: string;
  /** Where the refund result callback goes; null = none was asked for. */
  readonly notifyUrl: string | null;
  status: RefundStatus;
  /** When it became SUCCESS: the day it appears in the statement. */
  successTime: Date | null;
}

/** Test knobs for new refunds (`POST /sandbox/refund-settings`). */
export interface RefundSettings {
  /** The status a new refund is created with: PROCESSING waits for `/sandbox/refunds/{no}/…`. */
  status: RefundStatus;
  /** The next n refund requests are carried out, but answered HTTP 500 (a lost answer). */
  dropAnswers: number;
}

export interface SandboxState {
  readonly trades: Map<string, Trade>;
  /** prepay_id → outTradeNo, so /sandbox/request-payment can find the trade from `package`. */
  readonly byPrepay: Map<string, string>;
  readonly refunds: Map<string, Refund>;
  readonly refundSettings: RefundSettings;
}

export const newState = (): SandboxState => ({
  trades: new Map(),
  byPrepay: new Map(),
  refunds: new Map(),
  refundSettings: { status: 'SUCCESS', dropAnswers: 0 },
});

/** A closed or abnormal refund moved no money: the trade can be refunded again under a new number. */
export const holdsMoney = (r: Refund): boolean => r.status === 'SUCCESS' || r.status === 'PROCESSING';

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
  /** stable_token and the access_token check of every simulated WeChat server API. */
  readonly tokens: TokenSimulator;
  /** What the sandbox signs and encrypts message pushes with (the API's WECHAT_PUSH_* values). */
  readonly push: PushCredentials;
}
