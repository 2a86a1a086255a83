import type { LedgerEntry } from './ledger';
import type { Fen } from './money';
import type { Settlement } from './settlement';
import type { StatusChange } from './status';

/**
 * The dashboard reads money records by hour: every settlement, ledger entry and status record is
 * stored with `hourOf` its own timestamp (an indexed equality field), so a day is ~24 equality reads
 * however large the store. Hours are UTC; every zone's offset is a multiple of 15 minutes, so each
 * hour is summed in four quarters and a local day is made of whole quarters.
 */
export const HOUR_MS = 3_600_000;
const QUARTER_MS = 15 * 60_000;

export const hourOf = (at: Date): number => Math.floor(at.getTime() / HOUR_MS);
export const hourStart = (hour: number): Date => new Date(hour * HOUR_MS);

export interface Sums {
  readonly salesCount: number;
  readonly salesFen: Fen;
  /** Orders that reached each status. */
  readonly paid: number;
  readonly completed: number;
  readonly cancelled: number;
  readonly refunded: number;
  /** Credits granted by purchases and positive adjustments. */
  readonly creditsIssued: number;
  /** Credits spent by users (consume), as a positive number. */
  readonly creditsSpent: number;
  /** Credits taken back by refunds and negative adjustments, net of refunds given back, positive. */
  readonly creditsTakenBack: number;
  /** The sum of every entry's amount: how much the outstanding balance moved. */
  readonly creditsNet: number;
}

export const ZERO: Sums = {
  salesCount: 0,
  salesFen: 0,
  paid: 0,
  completed: 0,
  cancelled: 0,
  refunded: 0,
  creditsIssued: 0,
  creditsSpent: 0,
  creditsTakenBack: 0,
  creditsNet: 0,
};

export const addSums = (a: Sums, b: Sums): Sums => {
  const out = { ...a } as Record<keyof Sums, number>;
  for (const k of Object.keys(b) as (keyof Sums)[]) out[k] += b[k];
  return out;
};

/** What one ledger entry contributes. */
export function entrySums(e: Pick<LedgerEntry, 'amount' | 'type'>): Sums {
  const issued = e.type === 'purchase' || (e.type === 'adjust' && e.amount > 0) ? e.amount : 0;
  const spent = e.type === 'consume' ? -e.amount : 0;
  const takenBack = e.type === 'refund' || (e.type === 'adjust' && e.amount < 0) ? -e.amount : 0;
  return {
    ...ZERO,
    creditsIssued: issued,
    creditsSpent: spent,
    creditsTakenBack: takenBack,
    creditsNet: e.amount,
  };
}

const STATUS_FIELD = {
  paid: 'paid',
  completed: 'completed',
  cancelled: 'cancelled',
  refunded: 'refunded',
} as const;

export function changeSums(c: Pick<StatusChange, 'status'>): Sums {
  if (c.status === 'pending') return ZERO;
  return { ...ZERO, [STATUS_FIELD[c.status]]: 1 };
}

export const settlementSums = (s: Pick<Settlement, 'amountFen'>): Sums => ({
  ...ZERO,
  salesCount: 1,
  salesFen: s.amountFen,
});

/** One hour's records, summed per quarter hour (index 0 = minutes 0–14). */
export type HourFigures = readonly [Sums, Sums, Sums, Sums];

export interface HourRecords {
  readonly settlements: readonly Settlement[];
  readonly entries: readonly LedgerEntry[];
  readonly changes: readonly StatusChange[];
}

export function sumHour(hour: number, r: HourRecords): HourFigures {
  const q: Sums[] = [ZERO, ZERO, ZERO, ZERO];
  const add = (at: Date, s: Sums) => {
    const i = Math.floor((at.getTime() - hour * HOUR_MS) / QUARTER_MS);
    if (i >= 0 && i < 4) q[i] = addSums(q[i]!, s);
  };
  for (const s of r.settlements) add(s.settledAt, settlementSums(s));
  for (const e of r.entries) add(e.createdAt, entrySums(e));
  for (const c of r.changes) add(c.at, changeSums(c));
  return q as unknown as HourFigures;
}

/** The part of an hour inside [from, to) — both on quarter-hour boundaries, as local midnights are. */
export function hourPart(hour: number, figures: HourFigures, from: Date, to: Date): Sums {
  let out = ZERO;
  for (let i = 0; i < 4; i++) {
    const start = hour * HOUR_MS + i * QUARTER_MS;
    if (start >= from.getTime() && start < to.getTime()) out = addSums(out, figures[i]!);
  }
  return out;
}

/** Hours overlapping [from, to). */
export function hoursBetween(from: Date, to: Date): number[] {
  const out: number[] = [];
  for (let h = hourOf(from); h * HOUR_MS < to.getTime(); h++) out.push(h);
  return out;
}

/**
 * Credits of every ledger entry in hours before `throughHour`: the base the dashboard adds the
 * following hours to. Insert-only, one per hour: a later one is the earlier one plus the hours between.
 */
export interface CreditSnapshot {
  readonly throughHour: number;
  readonly issued: number;
  readonly spent: number;
  readonly takenBack: number;
  /** Outstanding balance of all users together. */
  readonly outstanding: number;
  readonly createdAt: Date;
}

export const snapshotPlus = (
  s: CreditSnapshot,
  sums: Sums,
  throughHour: number,
  now: Date,
): CreditSnapshot => ({
  throughHour,
  issued: s.issued + sums.creditsIssued,
  spent: s.spent + sums.creditsSpent,
  takenBack: s.takenBack + sums.creditsTakenBack,
  outstanding: s.outstanding + sums.creditsNet,
  createdAt: now,
});
