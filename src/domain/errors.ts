/**
 * Every expected failure the use cases return. `src/app/http/errors.ts` maps each kind to one HTTP
 * status and a Chinese `detail`, in one table.
 */
export type DomainError =
  | { readonly kind: 'product_not_found' }
  | { readonly kind: 'product_inactive' }
  | { readonly kind: 'order_not_found' }
  | { readonly kind: 'order_not_payable'; readonly status: string }
  | { readonly kind: 'order_already_paid' }
  | { readonly kind: 'user_not_found' }
  | { readonly kind: 'user_disabled' }
  | { readonly kind: 'login_code_invalid'; readonly message: string }
  | { readonly kind: 'login_rate_limited' }
  | { readonly kind: 'login_user_blocked' }
  | { readonly kind: 'login_unavailable'; readonly message: string }
  | { readonly kind: 'statement_day_open'; readonly date: string }
  | { readonly kind: 'provider_unavailable'; readonly message: string }
  | { readonly kind: 'provider_rejected'; readonly message: string }
  | { readonly kind: 'notification_unauthenticated'; readonly message: string }
  | { readonly kind: 'notification_invalid'; readonly message: string }
  /** The transaction reported for the order already pays order `holder`: nothing settled, a review opened. */
  | { readonly kind: 'payment_reused'; readonly holder: number }
  | { readonly kind: 'insufficient_credits' }
  | { readonly kind: 'idempotency_conflict' }
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'account_not_found' }
  | { readonly kind: 'invalid_price' }
  | { readonly kind: 'order_not_refundable'; readonly status: string }
  | { readonly kind: 'refund_insufficient_credits' }
  | { readonly kind: 'refund_provider_unavailable'; readonly message: string }
  | { readonly kind: 'refund_not_found' }
  | { readonly kind: 'refund_retry_invalid' }
  | { readonly kind: 'contention'; readonly message: string }
  | { readonly kind: 'version_conflict'; readonly current: number }
  | { readonly kind: 'review_not_found' }
  | { readonly kind: 'pending_order_limit'; readonly limit: number; readonly retryAfterSeconds: number }
  | { readonly kind: 'daily_spend_limit'; readonly retryAfterSeconds: number }
  | { readonly kind: 'session_ended' }
  | { readonly kind: 'session_key_missing' }
  | { readonly kind: 'product_not_sellable' }
  | { readonly kind: 'refund_refused'; readonly message: string };

export type ErrorKind = DomainError['kind'];
