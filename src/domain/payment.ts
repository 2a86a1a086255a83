import type { Fen } from './money';
import type { Result } from './result';
import type { Statement } from './statement';

/** The trade states WeChat Pay (and the gateway, which relays them) can report. */
export const REPORTED_TRADE_STATES = [
  'SUCCESS',
  'REFUND',
  'NOTPAY',
  'CLOSED',
  'REVOKED',
  'USERPAYING',
  'PAYERROR',
] as const;

/** A reported state, or NOT_FOUND for a trade the provider has never seen (ours, never on the wire). */
export type TradeState = (typeof REPORTED_TRADE_STATES)[number] | 'NOT_FOUND';

/** Exactly what `wx.requestPayment` needs, in the seed's `payment_data` shape. */
export interface PaymentParams {
  readonly appId: string;
  readonly timeStamp: string;
  readonly nonceStr: string;
  readonly packageValue: string;
  readonly signType: 'RSA';
  readonly paySign: string;
  readonly outTradeNo: string;
}

/**
 * Exactly what `wx.requestVirtualPayment` needs (小程序虚拟支付, 道具直购): `signData` is the JSON string
 * both signatures cover, passed through by the client byte for byte.
 */
export interface VirtualPaymentParams {
  readonly mode: 'short_series_goods';
  readonly signData: string;
  readonly paySig: string;
  readonly signature: string;
  readonly outTradeNo: string;
}

/** What a provider hands the client: `wx.requestPayment` arguments, or `wx.requestVirtualPayment` ones. */
export type ClientPayment = PaymentParams | VirtualPaymentParams;

export const isVirtualPayment = (p: ClientPayment): p is VirtualPaymentParams => 'signData' in p;

export interface CreatePaymentRequest {
  readonly outTradeNo: string;
  readonly description: string;
  readonly amountFen: Fen;
  readonly openid: string;
  readonly notifyUrl: string;
  /** Deterministic per order: WeChat rejects a re-posted prepay whose time_expire changed. */
  readonly expiresAt: Date;
  /** Virtual payment only: the user's current WeChat session_key (signs `signature`). */
  readonly sessionKey?: string;
  /** Virtual payment only: the provider's item id of the order's product (xpay 道具 productId). */
  readonly providerProductId?: string;
}

export interface TradeStatus {
  readonly state: TradeState;
  readonly transactionId: string | null;
  readonly amountFen: Fen | null;
  readonly paidAt: Date | null;
}

export interface RefundRequest {
  readonly outTradeNo: string;
  readonly outRefundNo: string;
  readonly refundFen: Fen;
  readonly totalFen: Fen;
  readonly reason: string;
  /** Where the provider sends the refund's result; absent = the provider's configured default. */
  readonly notifyUrl?: string;
}

export interface RefundStatus {
  readonly refundId: string;
  readonly outRefundNo: string;
  readonly status: 'SUCCESS' | 'PROCESSING' | 'CLOSED' | 'ABNORMAL';
}

/**
 * `provider_unavailable`: network error, timeout, 5xx, 429 or an unparseable/unverifiable answer —
 * the outcome is unknown and must be queried again later, never guessed.
 * `provider_rejected`: the provider answered definitively that it will not do this.
 */
export type ProviderError =
  | { readonly kind: 'provider_unavailable'; readonly message: string }
  | { readonly kind: 'provider_rejected'; readonly message: string; readonly code?: string };

/** A verified statement from the provider that a trade reached a state. */
export interface PaymentEvent {
  readonly outTradeNo: string;
  readonly state: TradeState;
  readonly transactionId: string | null;
  readonly amountFen: Fen;
  readonly paidAt: Date | null;
}

/** A verified statement from the provider about a refund (REFUND.* / the gateway's refund callback). */
export interface RefundNotice {
  readonly outRefundNo: string;
  readonly outTradeNo: string;
  readonly refundId: string;
  readonly status: RefundStatus['status'];
  readonly refundFen: Fen;
}

export type NotificationError =
  | { readonly kind: 'notification_unauthenticated'; readonly message: string }
  | { readonly kind: 'notification_invalid'; readonly message: string };

/**
 * The payment provider port. Every method returns a value; none throws on provider or network failure.
 * `P` is what the provider hands the client (WeChat Pay: `wx.requestPayment`; xpay: virtual payment).
 */
export interface Payments<P extends ClientPayment = ClientPayment> {
  /** Prepay (idempotent per outTradeNo: repeating it reuses the prepay with a fresh signature). */
  createPayment(req: CreatePaymentRequest): Promise<Result<P, ProviderError>>;
  /** Current trade state; NOT_FOUND when the provider has no such trade. */
  query(outTradeNo: string): Promise<Result<TradeStatus, ProviderError>>;
  /** Closes an unpaid trade; `already_paid` when money was taken after all (never cancel then). */
  close(outTradeNo: string): Promise<Result<'closed' | 'already_paid', ProviderError>>;
  /** Requests a refund; repeating the same outRefundNo returns the existing refund. */
  refund(req: RefundRequest): Promise<Result<RefundStatus, ProviderError>>;
  /** The refund's current status; `provider_rejected` when the provider does not know the number. */
  queryRefund(outRefundNo: string): Promise<Result<RefundStatus, ProviderError>>;
  /**
   * Providers that track delivery themselves (xpay): makes sure the provider has the paid order marked
   * delivered, telling it so if not. Called after the grant; idempotent. Absent = nothing to tell.
   */
  confirmDelivery?(outTradeNo: string): Promise<Result<void, ProviderError>>;
  /**
   * Why the provider will never refund this paid trade through us (xpay: an iOS order, refunded only
   * by Apple), or null. Asked before a refund takes anything; absent = every trade is refundable.
   */
  refundRefusal?(outTradeNo: string): Promise<Result<string | null, ProviderError>>;
}

/** Authenticates a provider's callback from its raw bytes (signature before parsing, time window). */
export interface PaymentNotifications {
  verify(headers: Headers, rawBody: string): Result<PaymentEvent, NotificationError>;
  /** The same checks for a refund result; a payment event here (or a refund in `verify`) is invalid. */
  verifyRefund(headers: Headers, rawBody: string): Result<RefundNotice, NotificationError>;
}

/**
 * The provider's daily statement (WeChat Pay's trade bill, the gateway's `/api/pay/statement`):
 * `provider_unavailable` while it is not ready or cannot be fetched or verified.
 */
export interface Statements {
  download(date: string): Promise<Result<Statement, ProviderError>>;
}
