import type { Order } from '../order';
import { orderExpiresAt } from '../order';
import type { Check, Checks } from '../ports';
import type { Deps } from './deps';

export const MINUTE_MS = 60_000;
export const minuteOf = (at: Date): number => Math.floor(at.getTime() / MINUTE_MS);

/** Minutes from one check to the next: checks at about 1, 3, 5, 10 and 30 minutes, then hourly. */
const GAPS = [2, 2, 5, 20, 60] as const;
/** Orders with other unfinished work get about a day of hourly checks before a human looks. */
const MAX_ATTEMPTS = 30;
/** A pending order is followed until a day after its expiry. */
const FOLLOW_AFTER_EXPIRY_MS = 24 * 60 * MINUTE_MS;

/** The moment the sweeper stops following a pending order and opens a review instead. */
export const followUntil = (order: Order, expireMinutes: number): Date =>
  new Date(orderExpiresAt(order, expireMinutes).getTime() + FOLLOW_AFTER_EXPIRY_MS);

/**
 * Puts a check of the order on the sweeper's queue, no earlier than the current minute: a run reads
 * the buckets from its cursor up to now, so a check filed in the past could be passed over.
 */
export async function scheduleCheck(
  deps: Pick<Deps, 'checks' | 'clock'>,
  orderNo: string,
  at: Date,
  attempt = 0,
): Promise<void> {
  const dueMinute = Math.max(minuteOf(at), minuteOf(deps.clock.now()));
  await deps.checks.schedule({ orderNo, dueMinute, attempt });
}

/**
 * When to look at the order again after `check` left it unfinished, or `give_up` (a review). A
 * pending order is looked at again by its expiry at the latest, so it is closed in time. The next
 * check always lands in a later minute than this one: the same minute would be the same record,
 * which is about to be removed.
 */
export function nextCheck(
  check: Check,
  order: Order | null,
  now: Date,
  expireMinutes: number,
): { dueMinute: number; attempt: number } | 'give_up' {
  const gap = GAPS[Math.min(check.attempt, GAPS.length - 1)]!;
  let due = now.getTime() + gap * MINUTE_MS;
  if (order?.status === 'pending') {
    if (now >= followUntil(order, expireMinutes)) return 'give_up';
    const expiry = orderExpiresAt(order, expireMinutes).getTime();
    if (now.getTime() < expiry) due = Math.min(due, expiry + MINUTE_MS - 1);
  } else if (check.attempt + 1 >= MAX_ATTEMPTS) return 'give_up';
  const dueMinute = Math.max(Math.floor(due / MINUTE_MS), check.dueMinute + 1, minuteOf(now) + 1);
  return { dueMinute, attempt: check.attempt + 1 };
}

/** The newest minutes are read on every run, whatever is queued behind the cursor (clock skew, fairness). */
export const RECENT_MINUTES = 2;
/** A cursor-less start (a new database) looks this far back. */
export const FIRST_LOOKBACK_MINUTES = 60;

/**
 * The due entries of a minute-bucketed queue, the newest minutes first and in full, then the backlog
 * from the cursor on, at most `max` in all; `firstLeft` is the first minute not read to its end.
 */
export async function gatherDue(
  queue: Checks,
  nowMinute: number,
  max: number,
): Promise<{ checks: Check[]; firstLeft: number }> {
  const start = Math.min((await queue.cursor()) ?? nowMinute - FIRST_LOOKBACK_MINUTES, nowMinute);
  const recentFrom = Math.max(start, nowMinute - RECENT_MINUTES);
  const checks: Check[] = [];
  let firstLeft = Number.POSITIVE_INFINITY;
  for (let m = nowMinute; m >= recentFrom; m--) {
    const due = await queue.due(m, max);
    if (due.length === max) firstLeft = Math.min(firstLeft, m);
    checks.push(...due);
  }
  for (let m = start; m < recentFrom; m++) {
    const room = max - checks.length;
    const due = room > 0 ? await queue.due(m, room) : [];
    checks.push(...due);
    if (room <= 0 || due.length === room) {
      firstLeft = Math.min(firstLeft, m);
      break;
    }
  }
  return { checks, firstLeft };
}
