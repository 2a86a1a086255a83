/**
 * Something about an order that needs a human: the sweeper stops retrying it (so it costs no
 * provider calls on every run) and the audit fails until someone resolves it.
 */
export type ReviewReason =
  /** The provider reports the trade refunded, but we never saw it paid. */
  | 'refunded_before_settlement'
  /** The same order was paid under two transactions: credits were granted once, the money needs a refund. */
  | 'second_payment'
  /** A transaction that already pays another order was reported for this one: not settled, a human decides. */
  | 'payment_reused'
  /** Still unresolved when the sweeper's schedule ran out (provider down, trade never settling…). */
  | 'unresolved'
  /** The order's status claims a payment that no settlement record proves. */
  | 'status_without_settlement'
  /** WeChat refused the order's shipping upload, or it kept failing for a day (money stays frozen). */
  | 'shipping_failed';

const REASON_SET: Readonly<Record<ReviewReason, true>> = {
  refunded_before_settlement: true,
  second_payment: true,
  payment_reused: true,
  unresolved: true,
  status_without_settlement: true,
  shipping_failed: true,
};

/** Every reason, complete by construction (a new reason that is not listed fails the typecheck). */
export const REVIEW_REASONS = Object.keys(REASON_SET) as readonly ReviewReason[];

export interface NewReview {
  readonly orderId: number;
  readonly orderNo: string;
  readonly reason: ReviewReason;
  readonly detail: string;
  readonly createdAt: Date;
}

export interface Review extends NewReview {
  /** `<order id>:<reason>`: one review per order and reason. */
  readonly id: string;
  readonly resolvedAt: Date | null;
  readonly resolution: string | null;
}

export const reviewId = (orderId: number, reason: ReviewReason): string => `${orderId}:${reason}`;
