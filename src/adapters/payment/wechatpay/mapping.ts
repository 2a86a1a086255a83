// Translates verified WeChat answers into the port's values. Old un-underscored code spellings
// are accepted because WeChat's own tables still show both.

import { isFen } from '../../../domain/money';
import {
  type ProviderError,
  REPORTED_TRADE_STATES,
  type RefundStatus,
  type TradeState,
  type TradeStatus,
} from '../../../domain/payment';
import type { ApiAnswer } from './client';

const norm = (code: string): string => code.replace(/_/g, '');

/** Retrying with the same parameters later can succeed: the caller must not treat these as final. */
const RETRYABLE = new Set(
  [
    'SYSTEM_ERROR',
    'BANK_ERROR',
    'FREQUENCY_LIMITED',
    'RATELIMIT_EXCEEDED',
    'RATE_LIMITED',
    'SERVICE_UNAVAILABLE',
    'NOT_ENOUGH',
    'USER_PAYING',
  ].map(norm),
);
const NOT_FOUND = new Set(['ORDER_NOT_EXIST', 'RESOURCE_NOT_EXISTS'].map(norm));
/** Prepay answers whose meaning depends on the trade's current state (WeChat: query, then decide). */
export const STATE_DEPENDENT = new Set(
  ['OUT_TRADE_NO_USED', 'INVALID_REQUEST', 'ORDERPAID', 'ORDER_CLOSED'].map(norm),
);

export const errorCode = (a: ApiAnswer): string =>
  typeof a.json?.code === 'string' ? a.json.code : `HTTP_${a.status}`;
export const isNotFound = (a: ApiAnswer): boolean => a.status === 404 && NOT_FOUND.has(norm(errorCode(a)));
export const isStateDependent = (a: ApiAnswer): boolean => STATE_DEPENDENT.has(norm(errorCode(a)));

export function apiError(a: ApiAnswer, label: string): ProviderError {
  const code = errorCode(a);
  const message =
    `${label}: ${a.status} ${code} ${typeof a.json?.message === 'string' ? a.json.message : ''}`.trim();
  return RETRYABLE.has(norm(code))
    ? { kind: 'provider_unavailable', message }
    : { kind: 'provider_rejected', message, code };
}

const TRADE_STATES: ReadonlySet<string> = new Set<string>(REPORTED_TRADE_STATES);
const REFUND_STATES: ReadonlySet<string> = new Set<RefundStatus['status']>([
  'SUCCESS',
  'PROCESSING',
  'CLOSED',
  'ABNORMAL',
]);

export const isTradeState = (v: unknown): v is Exclude<TradeState, 'NOT_FOUND'> =>
  typeof v === 'string' && TRADE_STATES.has(v);

/** `2023-05-06T15:17:31+08:00` → Date; null when absent, undefined when present but unreadable. */
export function parseTime(v: unknown): Date | null | undefined {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** A transaction object (query answer or decrypted notification) → TradeStatus, or why not. */
export function toTradeStatus(t: Record<string, unknown>): TradeStatus | string {
  const amount = t.amount as Record<string, unknown> | undefined;
  if (!isTradeState(t.trade_state)) return `unknown trade_state ${String(t.trade_state)}`;
  if (!amount || !isFen(amount.total)) return 'amount.total is not an integer number of fen';
  if (amount.currency !== undefined && amount.currency !== 'CNY')
    return `unexpected currency ${String(amount.currency)}`;
  const paidAt = parseTime(t.success_time);
  if (paidAt === undefined) return `unreadable success_time ${String(t.success_time)}`;
  const transactionId =
    typeof t.transaction_id === 'string' && t.transaction_id !== '' ? t.transaction_id : null;
  // A paid trade always carries WeChat's transaction id; without it the answer cannot be settled on.
  if (t.trade_state === 'SUCCESS' && transactionId === null) return 'SUCCESS without transaction_id';
  return { state: t.trade_state, transactionId, amountFen: amount.total, paidAt };
}

export function toRefundStatus(r: Record<string, unknown>): RefundStatus | string {
  if (typeof r.refund_id !== 'string' || typeof r.out_refund_no !== 'string')
    return 'refund_id/out_refund_no missing';
  if (typeof r.status !== 'string' || !REFUND_STATES.has(r.status))
    return `unknown refund status ${String(r.status)}`;
  return { refundId: r.refund_id, outRefundNo: r.out_refund_no, status: r.status as RefundStatus['status'] };
}
