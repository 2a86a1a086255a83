import {
  addSums,
  type CreditSnapshot,
  entrySums,
  type HourFigures,
  hourOf,
  hourPart,
  hourStart,
  hoursBetween,
  type Sums,
  snapshotPlus,
  sumHour,
  ZERO,
} from '../figures';
import type { FigureStore } from '../ports';
import { localParts, localToInstant } from '../time';
import type { Deps } from './deps';

export type DashboardDeps = Pick<
  Deps,
  'orders' | 'refunds' | 'settlements' | 'ledger' | 'statusChanges' | 'users' | 'clock' | 'settings'
> & { readonly figureStore?: FigureStore };

/** A count read up to a cap: `capped` means "at least count". */
export interface Capped {
  readonly count: number;
  readonly capped: boolean;
  /** The oldest one's time (paid at / requested at), null when none. */
  readonly oldestAt: Date | null;
}

export interface Dashboard {
  readonly computedAt: Date;
  readonly today: Sums;
  readonly last7Days: Sums;
  readonly pending: Capped;
  readonly paidNotCompleted: Capped;
  readonly refundsInFlight: Capped;
  /** All-time credit totals; null until the first baseline exists (see creditBaseline). */
  readonly credits: Omit<CreditSnapshot, 'throughHour' | 'createdAt'> | null;
}

export interface DashboardOptions {
  /** A dashboard is reused this long (the page shows when it was computed). */
  readonly ttlMs: number;
  /** Open orders / refunds are read up to this many each. */
  readonly cap: number;
}

/** An hour is final this long after it ended: a record stamped just before the hour ended may land late. */
export const GRACE_MS = 5 * 60_000;
/** Hours added to the credit snapshot per dashboard at most; the rest on the next one. */
const MAX_CATCH_UP_HOURS = 8 * 24;
/** The snapshot is moved forward once it lags this many final hours. */
const ROLL_AFTER_HOURS = 24;

/** Per process: final hours never change, so each is read once; the rest is reread after the TTL. */
export interface FigureCache {
  readonly hours: Map<number, HourFigures>;
  /** Hours being read now: concurrent parts of one dashboard share one read. */
  readonly reading: Map<number, Promise<HourFigures>>;
  last?: Dashboard;
}
export const figureCache = (): FigureCache => ({ hours: new Map(), reading: new Map() });
/** Hours read at once (each up to three equality reads, or one point read of its stored sums). */
const PARALLEL_HOURS = 8;

const DAY_MS = 86_400_000;

/** Local midnight of `now`'s day and of the day `daysBack` before, in `timeZone`. */
export function localDayStart(now: Date, timeZone: string, daysBack = 0): Date {
  const p = localParts(now, timeZone);
  const d = new Date(Date.UTC(+p.year, +p.month - 1, +p.day) - daysBack * DAY_MS);
  return localToInstant(
    { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() },
    timeZone,
  );
}

/**
 * The dashboard, bounded whatever the store holds: sales, status counts and credit movements come
 * from hour buckets (one equality read per collection and hour; final hours are cached), open
 * orders and refunds from equality reads capped at `cap`, all-time credits from the newest
 * snapshot plus the hours after it. Answers from cache within `ttlMs`.
 */
export function dashboard(deps: DashboardDeps, opts: DashboardOptions, cache: FigureCache) {
  const final = (hour: number, now: Date) => hourStart(hour + 1).getTime() + GRACE_MS <= now.getTime();

  /** A final hour: from this process's cache, else its stored sums, else its records (then stored). */
  async function readHour(h: number, now: Date): Promise<HourFigures> {
    const isFinal = final(h, now);
    const stored = isFinal && deps.figureStore ? await deps.figureStore.hour(h) : null;
    if (stored) {
      cache.hours.set(h, stored);
      return stored;
    }
    const [settlements, entries, changes] = await Promise.all([
      deps.settlements.inHour(h),
      deps.ledger.inHour(h),
      deps.statusChanges.inHour(h),
    ]);
    const figures = sumHour(h, { settlements, entries, changes });
    if (isFinal) {
      cache.hours.set(h, figures);
      await deps.figureStore?.saveHour(h, figures);
    }
    return figures;
  }

  function hour(h: number, now: Date): Promise<HourFigures> {
    const known = cache.hours.get(h);
    if (known) return Promise.resolve(known);
    let reading = cache.reading.get(h);
    if (!reading) {
      reading = readHour(h, now).finally(() => cache.reading.delete(h));
      cache.reading.set(h, reading);
    }
    return reading;
  }

  /** Every hour of the list, PARALLEL_HOURS at a time. */
  async function hoursOf(list: readonly number[], now: Date): Promise<Map<number, HourFigures>> {
    const out = new Map<number, HourFigures>();
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const h = list[next++] as number;
        out.set(h, await hour(h, now));
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_HOURS, list.length) }, worker));
    return out;
  }

  async function between(from: Date, to: Date, now: Date): Promise<Sums> {
    const list = hoursBetween(from, to);
    const figures = await hoursOf(list, now);
    return list.reduce((sum, h) => addSums(sum, hourPart(h, figures.get(h) as HourFigures, from, to)), ZERO);
  }

  async function openOrders(status: 'pending' | 'paid'): Promise<Capped> {
    let count = 0;
    let oldest: Date | null = null;
    for await (const o of deps.orders.scan({ status })) {
      if (count >= opts.cap) return { count, capped: true, oldestAt: oldest };
      count++;
      const at = status === 'paid' ? (o.paymentTime ?? o.updatedAt) : o.createdAt;
      if (!oldest || at < oldest) oldest = at;
    }
    return { count, capped: false, oldestAt: oldest };
  }

  async function refundsInFlight(): Promise<Capped> {
    const lists = await Promise.all([
      deps.refunds.listByState('requested', opts.cap + 1),
      deps.refunds.listByState('processing', opts.cap + 1),
    ]);
    const all = lists.flat();
    const oldestAt = all.reduce<Date | null>((o, a) => (!o || a.createdAt < o ? a.createdAt : o), null);
    return { count: Math.min(all.length, opts.cap), capped: all.length > opts.cap, oldestAt };
  }

  async function credits(now: Date): Promise<Dashboard['credits']> {
    const snapshots = deps.figureStore;
    const base = snapshots ? await snapshots.latestSnapshot() : null;
    if (!snapshots || !base) return null;
    const current = hourOf(now);
    if (current - base.throughHour > MAX_CATCH_UP_HOURS) {
      // Far behind (nobody looked for a long time): move the snapshot forward a bounded step now.
      const to = base.throughHour + MAX_CATCH_UP_HOURS;
      const sums = await between(hourStart(base.throughHour), hourStart(to), now);
      await snapshots.saveSnapshot(snapshotPlus(base, sums, to, now));
      return null;
    }
    let finalSums = ZERO;
    let lastFinal = base.throughHour;
    let rest = ZERO;
    const list = Array.from({ length: current - base.throughHour + 1 }, (_, i) => base.throughHour + i);
    const figures = await hoursOf(list, now);
    for (const h of list) {
      const whole = (figures.get(h) as HourFigures).reduce(addSums, ZERO);
      if (final(h, now) && h === lastFinal) {
        finalSums = addSums(finalSums, whole);
        lastFinal = h + 1;
      } else rest = addSums(rest, whole);
    }
    if (lastFinal - base.throughHour >= ROLL_AFTER_HOURS)
      await snapshots.saveSnapshot(snapshotPlus(base, finalSums, lastFinal, now));
    const total = snapshotPlus(base, addSums(finalSums, rest), current + 1, now);
    return {
      issued: total.issued,
      spent: total.spent,
      takenBack: total.takenBack,
      outstanding: total.outstanding,
    };
  }

  /** `maxAgeMs` (≤ the TTL): how old a cached dashboard may be for this call (a 「刷新」 asks for fresher). */
  return async (maxAgeMs = opts.ttlMs): Promise<Dashboard> => {
    const now = deps.clock.now();
    const age = Math.min(maxAgeMs, opts.ttlMs);
    if (cache.last && now.getTime() - cache.last.computedAt.getTime() < age) return cache.last;
    const tz = deps.settings.timeZone;
    const end = new Date(now.getTime() + 1);
    const [today, last7Days, pending, paidNotCompleted, inFlight, creditTotals] = await Promise.all([
      between(localDayStart(now, tz), end, now),
      between(localDayStart(now, tz, 6), end, now),
      openOrders('pending'),
      openOrders('paid'),
      refundsInFlight(),
      credits(now),
    ]);
    // Hours older than the week and the snapshot are not needed again.
    const oldest = hourOf(new Date(now.getTime() - 8 * DAY_MS));
    for (const h of cache.hours.keys()) if (h < oldest) cache.hours.delete(h);
    cache.last = {
      computedAt: now,
      today,
      last7Days,
      pending,
      paidNotCompleted,
      refundsInFlight: inFlight,
      credits: creditTotals,
    };
    return cache.last;
  };
}

/**
 * The first credit snapshot: every ledger entry stamped before `throughHour`, read user by user
 * (a full pass, like the audit: run once per database, in the background). Entries from then on are
 * found by hour. `throughHour` must start after this code was deployed, so no entry stored without
 * its hour can fall after it — the job (app/jobs.ts) picks the hour after the process started.
 */
export function creditBaseline(
  deps: Pick<DashboardDeps, 'users' | 'ledger' | 'clock'> & { readonly figureStore: FigureStore },
) {
  return async (throughHour: number): Promise<CreditSnapshot | null> => {
    const existing = await deps.figureStore.latestSnapshot();
    if (existing) return existing;
    const now = deps.clock.now();
    if (hourStart(throughHour).getTime() + GRACE_MS > now.getTime()) return null;
    const cutoff = hourStart(throughHour);
    let sums = ZERO;
    for await (const user of deps.users.scan())
      for await (const e of deps.ledger.scanUser(user.id))
        if (e.createdAt < cutoff) sums = addSums(sums, entrySums(e));
    const empty: CreditSnapshot = {
      throughHour,
      issued: 0,
      spent: 0,
      takenBack: 0,
      outstanding: 0,
      createdAt: now,
    };
    const snapshot = snapshotPlus(empty, sums, throughHour, now);
    await deps.figureStore.saveSnapshot(snapshot);
    return snapshot;
  };
}
