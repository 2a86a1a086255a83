import type { DomainError } from '../errors';
import { purchaseKey } from '../ledger';
import type { Order } from '../order';
import type { PaymentEventPage, PaymentEventRecord } from '../payment-events';
import { redactRecord } from '../redact';
import { refundKey, reversalKey } from '../refund';
import { err, ok, type Result } from '../result';
import { REVIEW_REASONS, reviewId } from '../review';
import {
  decodeCursor,
  isBefore,
  pageOf,
  type TimelineItem,
  type TimelinePage,
  type TimelinePosition,
} from '../timeline';
import {
  ledgerItem,
  orderCreatedItem,
  paymentEventItem,
  refundAttemptItem,
  refundEventItem,
  reviewItems,
  settlementItem,
  statusItem,
} from '../timeline-items';
import type { Deps } from './deps';

/**
 * More sources of items for an order's timeline (the operator console plugs its audit log in here).
 * Gets the order id and where the page ends (`before`: only items at or before it are needed, at most
 * `limit` of them, newest); returns items with keys unique and stable within the order (`op:<id>`).
 */
export type TimelineSource = (
  orderId: number,
  page: { readonly before?: Date; readonly limit: number },
) => Promise<readonly TimelineItem[]>;

export interface TimelineOptions {
  readonly operatorActions?: TimelineSource;
}

export interface TimelineQuery {
  /** From a previous page's `nextCursor`: the items older than it. */
  readonly cursor?: string;
  /** Items per page (1…MAX_TIMELINE_LIMIT). */
  readonly limit?: number;
}

export const DEFAULT_TIMELINE_LIMIT = 200;
export const MAX_TIMELINE_LIMIT = 500;

export type TimelineDeps = Pick<
  Deps,
  'orders' | 'statusChanges' | 'settlements' | 'ledger' | 'refunds' | 'reviews' | 'paymentEvents' | 'settings'
>;

export interface OrderTimeline extends TimelinePage {
  readonly order: Order;
}

/**
 * An order's timeline (by id, or by order number): the newest `limit` items before `cursor`, oldest
 * first. Every read is a point read or an equality on an indexed field; only the payment events can
 * be many per order, and they are read a page at a time.
 */
export function orderTimeline(deps: TimelineDeps, options: TimelineOptions = {}) {
  return async (
    ref: number | string,
    query: TimelineQuery = {},
  ): Promise<Result<OrderTimeline, DomainError | { readonly kind: 'invalid_cursor' }>> => {
    const limit = Math.min(
      Math.max(1, Math.floor(query.limit ?? DEFAULT_TIMELINE_LIMIT)),
      MAX_TIMELINE_LIMIT,
    );
    const before = query.cursor === undefined ? null : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !before) return err({ kind: 'invalid_cursor' });
    const order =
      typeof ref === 'number' ? await deps.orders.findById(ref) : await deps.orders.findByOrderNo(ref);
    if (!order) return err({ kind: 'order_not_found' });
    const beforeAt = before ? new Date(before.atMs) : undefined;

    const [stored, events, operator] = await Promise.all([
      storedItems(deps, order),
      paymentEventsBefore((page) => deps.paymentEvents.listByOrder(order.orderNo, page), before, limit + 1),
      options.operatorActions?.(order.id, { ...(beforeAt ? { before: beforeAt } : {}), limit: limit + 1 }) ??
        [],
    ]);
    const items = [
      ...stored,
      ...events.map(paymentEventItem),
      // Another module's records: redacted here like every other item.
      ...operator.map((i) => ({ ...i, detail: redactRecord(i.detail) })),
    ];
    return ok({ order, ...pageOf(items, limit, before) });
  };
}

/**
 * At least `want` payment events before `before` (when there are that many), newest first. The store
 * pages by (at, id) while the timeline orders by (at, rank, key): events of the cursor's own
 * millisecond may fall on either side, so that millisecond is read whole and those after the cursor
 * do not count.
 */
async function paymentEventsBefore(
  list: (page: PaymentEventPage) => Promise<PaymentEventRecord[]>,
  before: TimelinePosition | null,
  want: number,
): Promise<PaymentEventRecord[]> {
  if (!before) return list({ limit: want });
  const bound = { at: new Date(before.atMs + 1), id: '' };
  let limit = want;
  for (;;) {
    const got = await list({ before: bound, limit });
    const after = got.filter((e) => !isBefore(paymentEventItem(e), before)).length;
    if (got.length < limit || got.length - after >= want) return got;
    limit = want + after;
  }
}

/**
 * Payment events of one local day (`YYYY-MM-DD`) that concern no known order — forged callbacks,
 * notifications for unknown orders — paged like a timeline.
 */
export function unmatchedPaymentEvents(deps: Pick<Deps, 'paymentEvents'>) {
  return async (
    day: string,
    query: TimelineQuery = {},
  ): Promise<Result<TimelinePage, { readonly kind: 'invalid_cursor' }>> => {
    const limit = clampLimit(query.limit);
    const before = query.cursor === undefined ? null : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !before) return err({ kind: 'invalid_cursor' });
    const events = await paymentEventsBefore(
      (page) => deps.paymentEvents.listUnmatched(day, page),
      before,
      limit + 1,
    );
    return ok(pageOf(events.map(paymentEventItem), limit, before));
  };
}

const clampLimit = (limit: number | undefined) =>
  Math.min(Math.max(1, Math.floor(limit ?? DEFAULT_TIMELINE_LIMIT)), MAX_TIMELINE_LIMIT);

/** Everything but the payment events: a few records per order, each found by key or order id. */
async function storedItems(deps: TimelineDeps, order: Order): Promise<TimelineItem[]> {
  const tz = deps.settings.timeZone;
  const [changes, settlement, attempts, reviews] = await Promise.all([
    deps.statusChanges.list(order.id),
    deps.settlements.find(order.id),
    deps.refunds.attempts(order.id),
    Promise.all(REVIEW_REASONS.map((reason) => deps.reviews.find(reviewId(order.id, reason)))),
  ]);
  // The order's ledger entries are exactly those under its keys: a unique-index point read each.
  const ledgerKeys = [
    { key: purchaseKey(order.id), reversal: false },
    ...attempts.flatMap((a) => [
      { key: refundKey(order.id, a.attempt), reversal: false },
      { key: reversalKey(a.outRefundNo), reversal: true },
    ]),
  ];
  const [entries, refundEvents] = await Promise.all([
    Promise.all(
      ledgerKeys.map(async ({ key, reversal }) => {
        const entry = await deps.ledger.findByKey(key);
        return entry ? ledgerItem(entry, reversal) : null;
      }),
    ),
    Promise.all(attempts.map((a) => deps.refunds.events(a.outRefundNo))),
  ]);
  const paid = changes.find((c) => c.status === 'paid');
  return [
    orderCreatedItem(order),
    ...changes.map(statusItem),
    ...(settlement ? [settlementItem(settlement, tz, paid?.at ?? null)] : []),
    ...entries.filter((e): e is TimelineItem => e !== null),
    ...attempts.map(refundAttemptItem),
    ...refundEvents.flat().map(refundEventItem),
    ...reviews.flatMap((r) => (r ? reviewItems(r) : [])),
  ];
}
