/**
 * An order's whole payment history in one list, for operators ("paid but no credits"): the order,
 * its status changes, provider calls, callbacks, sweeper decisions, settlement, ledger entries,
 * refund steps, reviews and operator actions — each read from the record that already holds it and
 * merged at read time (usecases/timeline.ts builds them; timeline-items.ts words them).
 */
export type TimelineKind =
  | 'order_created'
  | 'prepay'
  | 'provider_query'
  | 'provider_close'
  | 'refund_request'
  | 'refund_query'
  | 'callback'
  | 'refund_callback'
  | 'sweeper_check'
  | 'settlement'
  | 'status_changed'
  | 'ledger_entry'
  | 'refund_attempt'
  | 'refund_processing'
  | 'refund_outcome'
  | 'review_opened'
  | 'review_resolved'
  | 'operator_action';

/** Which stored record an item comes from. */
export type TimelineSource =
  | 'orders'
  | 'payment_events'
  | 'settlements'
  | 'status_changes'
  | 'ledger'
  | 'refund_attempts'
  | 'refund_events'
  | 'reviews'
  | 'operator';

export interface TimelineItem {
  readonly at: Date;
  readonly kind: TimelineKind;
  readonly source: TimelineSource;
  /** One short line for an operator, in Chinese. */
  readonly summary: string;
  /** The record's facts, redacted (redact.ts). */
  readonly detail: Readonly<Record<string, unknown>>;
  /** Unique and stable within the order's timeline (e.g. `op:<audit id>`): breaks ties, places the cursor. */
  readonly key: string;
  /**
   * Order among items of the same millisecond, cause before effect (see `RANK`); absent = the kind's
   * usual place.
   */
  readonly rank?: number;
}

/**
 * Within one millisecond, the order in which one request writes its records: an operator's action
 * causes the rest; a refund claims its attempt and takes the credits back before it asks the provider;
 * a provider's answer or a callback comes before the settlement, the status `paid`, the purchase
 * entry and the status `completed`; a refund's outcome before the credits given back; a sweeper
 * decision is recorded after everything it did.
 */
export const RANK = {
  operator: 0,
  order: 10,
  refundAttempt: 20,
  refundDeduction: 30,
  providerOrCallback: 40,
  settlement: 50,
  statusEarly: 60,
  purchase: 70,
  refundEvent: 80,
  refundReversal: 85,
  statusLate: 90,
  review: 100,
  sweeper: 110,
} as const;

const rankOf = (item: TimelineItem): number => item.rank ?? RANK.providerOrCallback;

/** Oldest first: time, then cause before effect, then key (a total, stable order). */
export function compareItems(a: TimelineItem, b: TimelineItem): number {
  return (
    a.at.getTime() - b.at.getTime() || rankOf(a) - rankOf(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

/** A position in the timeline: the items strictly before it are the next (older) page. */
export interface TimelinePosition {
  readonly atMs: number;
  readonly rank: number;
  readonly key: string;
}

export const positionOf = (item: TimelineItem): TimelinePosition => ({
  atMs: item.at.getTime(),
  rank: rankOf(item),
  key: item.key,
});

export const isBefore = (item: TimelineItem, p: TimelinePosition): boolean =>
  compareItems(item, { at: new Date(p.atMs), rank: p.rank, key: p.key } as TimelineItem) < 0;

/** `<ms>.<rank>.<key, URI-encoded>`: opaque to clients, readable in a log. */
export const encodeCursor = (p: TimelinePosition): string =>
  `${p.atMs}.${p.rank}.${encodeURIComponent(p.key)}`;

/** The position a cursor names; null for anything that is not one of ours. */
export function decodeCursor(cursor: string): TimelinePosition | null {
  const m = /^(\d{1,15})\.(\d{1,4})\.([A-Za-z0-9%._~!*'()-]{1,300})$/.exec(cursor);
  if (!m) return null;
  try {
    return { atMs: Number(m[1]), rank: Number(m[2]), key: decodeURIComponent(m[3]!) };
  } catch {
    return null;
  }
}

export interface TimelinePage {
  /** Oldest first. */
  readonly items: readonly TimelineItem[];
  /** Where the older items continue (pass it back as `cursor`); null when these are the first ones. */
  readonly nextCursor: string | null;
}

/**
 * The newest `limit` of `items` before `before` (all of them when absent), oldest first, and the
 * cursor of what is older still. `more` says the caller knows of older items not in `items`.
 */
export function pageOf(
  items: readonly TimelineItem[],
  limit: number,
  before: TimelinePosition | null,
  more = false,
): TimelinePage {
  const eligible = (before ? items.filter((i) => isBefore(i, before)) : [...items]).sort(compareItems);
  const page = eligible.slice(Math.max(0, eligible.length - limit));
  const hasOlder = more || eligible.length > limit;
  return { items: page, nextCursor: hasOlder && page[0] ? encodeCursor(positionOf(page[0])) : null };
}
