import { auditAlert, paidAt, paidNotCompletedAlert, reviewQueueAlert } from '../alert-kinds';
import type { Order } from '../order';
import type { Alerts } from '../ports';
import { STATEMENT_TIME_ZONE } from '../statement';
import { localParts } from '../time';
import { auditStore } from './audit';
import type { Deps } from './deps';

export interface WatchSettings {
  /** A paid order not completed after this long is an alert. */
  readonly paidNotCompletedMinutes: number;
  /** More open reviews than this is an alert. */
  readonly reviewQueueThreshold: number;
  /** How far back "a review opened since the last look" reaches (the watcher's interval). */
  readonly lookbackMs: number;
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

/**
 * The periodic look for what no request reports by itself: orders stuck between paid and completed
 * and a growing review queue. Each raises an alert; deduplication makes every instance's look safe.
 */
export function watchForAlerts(
  deps: Pick<Deps, 'orders' | 'reviews' | 'clock'> & { alerts: Alerts },
  s: WatchSettings,
) {
  return async (): Promise<void> => {
    const now = deps.clock.now();
    const stuck = await paidNotCompleted(deps, new Date(now.getTime() - s.paidNotCompletedMinutes * 60_000));
    if (stuck.length > 0) deps.alerts.raise(paidNotCompletedAlert(stuck, s.paidNotCompletedMinutes, now));
    // Newest first: one page of threshold + 1 tells both "above the threshold" and "opened lately".
    const open = await deps.reviews.list({ openOnly: true }, { skip: 0, limit: s.reviewQueueThreshold + 1 });
    const newest = open[0];
    if (!newest) return;
    if (open.length > s.reviewQueueThreshold)
      deps.alerts.raise(reviewQueueAlert(open.length, s.reviewQueueThreshold, newest, 'above_threshold'));
    else if (newest.createdAt.getTime() > now.getTime() - s.lookbackMs)
      deps.alerts.raise(reviewQueueAlert(open.length, s.reviewQueueThreshold, newest, 'grew'));
  };
}

/**
 * The daily integrity audit: from `hour` (Beijing) on, the first instance to claim the date runs it
 * (`claimOnce`, an insert-unique record), and violations raise an alert. It scans the whole store,
 * so it runs once a day at most; on demand it is `bun run audit` or GET /api/admin/audit.
 */
export function dailyAudit(deps: Deps & { alerts: Alerts }, hour: number) {
  return async (): Promise<boolean> => {
    const local = localParts(deps.clock.now(), STATEMENT_TIME_ZONE);
    if (Number(local.hour) < hour) return false;
    if (!(await deps.checks.claimOnce(`audit:${local.year}-${local.month}-${local.day}`))) return false;
    const report = await auditStore(deps)({ maxFindings: 20 });
    deps.log(report.ok ? 'audit.clean' : 'audit.violations', {
      violations: report.violations,
      ...report.scanned,
    });
    if (!report.ok) deps.alerts.raise(auditAlert(report.violations));
    return true;
  };
}
