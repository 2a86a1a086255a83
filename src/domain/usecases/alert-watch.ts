import { paidAt, paidNotCompletedAlert, reviewQueueAlert } from '../alert-kinds';
import type { Order } from '../order';
import type { Alerts } from '../ports';
import { type NewReview, type Review, reviewId } from '../review';
import { STATEMENT_TIME_ZONE, statementDay } from '../statement';
import { localParts } from '../time';
import { AuditStopped } from './audit';
import { recordedAudit } from './audit-runs';
import type { Deps } from './deps';

export interface WatchSettings {
  /** A paid order not completed after this long is an alert. */
  readonly paidNotCompletedMinutes: number;
  /** More open reviews than this is an alert. */
  readonly reviewQueueThreshold: number;
}

/** `paid` orders read per page, and pages per look: the paid-not-completed set is small when healthy. */
const PAGE = 100;
const MAX_PAGES = 10;

/** Paid orders (an equality on the indexed status, in bounded pages) paid longer ago than the limit. */
export async function paidNotCompleted(deps: Pick<Deps, 'orders'>, olderThan: Date): Promise<Order[]> {
  const stuck: Order[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const orders = await deps.orders.search({ status: 'paid' }, { skip: page * PAGE, limit: PAGE });
    stuck.push(...orders.filter((o) => paidAt(o) <= olderThan));
    if (orders.length < PAGE) break;
  }
  return stuck;
}

/** The periodic look for orders stuck between paid and completed (dedup makes every instance's look safe). */
export function watchForAlerts(
  deps: Pick<Deps, 'orders' | 'clock'> & { alerts: Alerts },
  s: Pick<WatchSettings, 'paidNotCompletedMinutes'>,
) {
  return async (): Promise<void> => {
    const now = deps.clock.now();
    const stuck = await paidNotCompleted(deps, new Date(now.getTime() - s.paidNotCompletedMinutes * 60_000));
    if (stuck.length > 0) deps.alerts.raise(paidNotCompletedAlert(stuck, s.paidNotCompletedMinutes, now));
  };
}

/**
 * The review queue grew: told of each review when it is first opened (the composition root wraps
 * `Reviews.open`), it raises one alert for that review (but for a second payment, which has its
 * own) and, with more than `threshold` open, one an hour for the size. Reviews are rare, so the bounded read of the open ones happens rarely too —
 * never on a timer.
 */
export function reviewOpenedAlerts(deps: Pick<Deps, 'reviews'> & { alerts: Alerts }, threshold: number) {
  return async (review: NewReview): Promise<void> => {
    const open = await deps.reviews.list({ openOnly: true }, { skip: 0, limit: threshold + 1 });
    const opened: Review = {
      ...review,
      id: reviewId(review.orderId, review.reason),
      resolvedAt: null,
      resolution: null,
    };
    // These have critical alerts of their own (settle.ts): the review of them would say it twice.
    if (review.reason !== 'second_payment' && review.reason !== 'payment_reused')
      deps.alerts.raise(reviewQueueAlert(open.length, threshold, opened, 'grew'));
    if (open.length > threshold)
      deps.alerts.raise(reviewQueueAlert(open.length, threshold, opened, 'above_threshold'));
  };
}

/**
 * The daily integrity audit: from `hour` (Beijing) on, the first instance to claim the date runs it
 * (`claimOnce`, an insert-unique record), violations raise an alert and the report is stored. It
 * scans the whole store, so it runs once a day at most; on demand it is `bun run audit` or
 * POST /api/admin/audit.
 */
export function dailyAudit(deps: Deps & { alerts: Alerts }, hour: number, stop: () => boolean = () => false) {
  return async (): Promise<boolean> => {
    const now = deps.clock.now();
    if (Number(localParts(now, STATEMENT_TIME_ZONE).hour) < hour) return false;
    // Stopping already: leave the date to an instance that will finish it.
    if (stop()) return false;
    if (!(await deps.checks.claimOnce(`audit:${statementDay(now)}`))) return false;
    // Stopped (the process is stopping): the date stays claimed, so that day has no daily report;
    // `audit.stopped` in the log says so, and 立即核查 / `bun run audit` run one by hand.
    await recordedAudit(deps)('daily', { maxFindings: 20, stop }).catch((e) => {
      if (!(e instanceof AuditStopped)) throw e;
    });
    return true;
  };
}
