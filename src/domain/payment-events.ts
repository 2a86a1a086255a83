import { newestFirstBy } from './time';
/**
 * What happened between us and the payment provider for one order, as the order timeline shows it:
 * each provider call and its answer, each callback / notification received (with why it was
 * rejected), each sweeper decision. Insert-only; secrets are redacted and sizes bounded before a
 * record is made (redact.ts), and each record expires after the configured retention.
 *
 * Not recorded here, because they already are insert-only records of their own (the timeline reads
 * them): settlements, ledger entries, refund attempts and events, status changes and reviews.
 */
export type PaymentEventType = 'provider_call' | 'notification' | 'sweeper';

/** Which provider operation (`Payments` method), which callback route, or the sweeper's `check`. */
export type PaymentEventAction =
  | 'createPayment'
  | 'query'
  | 'close'
  | 'refund'
  | 'queryRefund'
  | 'confirmDelivery'
  | 'refundRefusal'
  | 'callback'
  | 'notify'
  | 'refund_callback'
  | 'refund_notify'
  | 'check';

export interface PaymentEventRecord {
  /** Unique; `<at in ms, base 36>-<random>`, so ids of one order sort roughly by time. */
  readonly id: string;
  /**
   * The order it concerns; null when none could be identified (a forged callback naming no existing
   * order, a notification for an unknown order): those are listed by `day` instead.
   */
  readonly orderNo: string | null;
  /** The local date (settings.timeZone) of `at`, `YYYY-MM-DD`: the key of events with no order. */
  readonly day: string;
  readonly at: Date;
  readonly type: PaymentEventType;
  readonly action: PaymentEventAction;
  /**
   * provider_call: `ok` | `provider_unavailable` | `provider_rejected` | `exception`;
   * notification: `accepted` | `rejected`; sweeper: the verdict (`completed`, `cancelled`, `none`,
   * `retry`, `review`, `deferred`).
   */
  readonly outcome: string;
  /** Why, in a line: the provider's message, the rejection reason, the sweeper's reason. */
  readonly message: string | null;
  /** What happened, in one line for an operator (zh-CN). */
  readonly summary: string;
  /** How long a provider call took, in ms; null for the rest. */
  readonly durationMs: number | null;
  /** Redacted and bounded JSON: request summary and answer, headers and body, check details. */
  readonly detail: Readonly<Record<string, unknown>>;
  /** When housekeeping may delete it (TIMELINE_RETENTION_DAYS after `at`). */
  readonly expiresAt: Date;
}

/** Newest first; `before` = strictly older than (at, id), for the next page. */
export interface PaymentEventPage {
  readonly before?: { readonly at: Date; readonly id: string };
  readonly limit: number;
}

/** The order of `listByOrder`: newest first, ties by id descending. */
export const newestFirst = newestFirstBy<PaymentEventRecord>(
  (e) => e.at,
  (e) => e.id,
);

/** True when `e` comes strictly after `before` in `newestFirst` order (i.e. it is older). */
export const olderThan = (e: PaymentEventRecord, before: NonNullable<PaymentEventPage['before']>): boolean =>
  e.at.getTime() < before.at.getTime() || (e.at.getTime() === before.at.getTime() && e.id < before.id);
