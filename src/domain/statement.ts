import type { Fen } from './money';
import { localDay } from './time';

/** One paid trade in the provider's statement (WeChat's trade bill, the gateway's statement). */
export interface StatementTrade {
  readonly outTradeNo: string;
  readonly transactionId: string | null;
  readonly amountFen: Fen;
  readonly paidAt: Date | null;
}

/** One successful refund in the provider's statement. */
export interface StatementRefund {
  readonly outRefundNo: string;
  readonly outTradeNo: string;
  readonly refundFen: Fen;
}

/**
 * WeChat Pay's bills and the gateway's statements are cut at Beijing midnight, whatever the shop's
 * `TZ`: our side of a date must be cut the same way or payments near midnight look missing.
 */
export const STATEMENT_TIME_ZONE = 'Asia/Shanghai';

/** The statement calendar's date of `at` (Beijing), `YYYY-MM-DD`: "today" for runs and pickers. */
export const statementDay = (at: Date): string => localDay(at, STATEMENT_TIME_ZONE);

/** The provider's record of one calendar day (STATEMENT_TIME_ZONE), `date` = `YYYY-MM-DD`. */
export interface Statement {
  readonly date: string;
  readonly trades: readonly StatementTrade[];
  readonly refunds: readonly StatementRefund[];
}

/**
 * What the books disagree on. `missing_here`: paid at the provider, no settlement here — healed
 * through the settle use case when the order exists and the amount agrees (`healed`).
 */
export type StatementDifference =
  | {
      readonly kind: 'missing_here';
      readonly outTradeNo: string;
      readonly amountFen: Fen;
      readonly healed: boolean;
    }
  | { readonly kind: 'missing_there'; readonly outTradeNo: string; readonly amountFen: Fen }
  | {
      readonly kind: 'amount_mismatch';
      readonly outTradeNo: string;
      readonly ours: Fen;
      readonly theirs: Fen;
    }
  | {
      readonly kind: 'refund_missing_here';
      readonly outRefundNo: string;
      readonly outTradeNo: string;
      readonly refundFen: Fen;
    }
  | { readonly kind: 'refund_missing_there'; readonly outRefundNo: string; readonly refundFen: Fen }
  | {
      readonly kind: 'refund_amount_mismatch';
      readonly outRefundNo: string;
      readonly ours: Fen;
      readonly theirs: Fen;
    };

export type DifferenceKind = StatementDifference['kind'];

/** Each kind of difference as an operator reads it (console, alerts). */
export const DIFFERENCE_TEXT: Readonly<Record<DifferenceKind, string>> = {
  missing_here: '对方有支付、本地未结算',
  missing_there: '本地已结算、对方无记录',
  amount_mismatch: '金额不一致',
  refund_missing_here: '对方有退款、本地无记录',
  refund_missing_there: '本地退款成功、对方无记录',
  refund_amount_mismatch: '退款金额不一致',
};

/** The stored outcome of one day's reconciliation: one per date, ever (an insert-unique record). */
export interface StatementReport {
  readonly date: string;
  readonly createdAt: Date;
  readonly trades: number;
  readonly refunds: number;
  readonly matched: number;
  readonly differences: readonly StatementDifference[];
}

/** Our side of the day: settlements whose payment time falls in it, refunds that succeeded in it. */
export interface OurDay {
  readonly settlements: ReadonlyMap<string, Fen>;
  readonly refunds: ReadonlyMap<string, Fen>;
  /**
   * Order numbers whose settlement an earlier statement run made (`source: statement`): missing here
   * until then, so the day's report says so instead of counting them as matched.
   */
  readonly healedByStatement?: ReadonlySet<string>;
}

/** What a lookup outside the day finds for a provider row (a payment time on the other side of midnight). */
export interface Lookups {
  readonly settlement: (outTradeNo: string) => Fen | null;
  readonly refund: (outRefundNo: string) => Fen | null;
}

/**
 * The comparison itself, pure: every provider row is matched with ours (the day's, else a lookup by
 * number), then every one of ours the provider did not list is reported. `missing_here` rows come out
 * unhealed; the use case heals them and says so.
 */
export function compareStatement(
  statement: Statement,
  ours: OurDay,
  found: Lookups,
): { matched: number; differences: StatementDifference[] } {
  const differences: StatementDifference[] = [];
  let matched = 0;
  const seenTrades = new Set<string>();
  for (const t of statement.trades) {
    seenTrades.add(t.outTradeNo);
    const mine = ours.settlements.get(t.outTradeNo) ?? found.settlement(t.outTradeNo);
    if (mine === null)
      differences.push({
        kind: 'missing_here',
        outTradeNo: t.outTradeNo,
        amountFen: t.amountFen,
        healed: false,
      });
    else if (mine !== t.amountFen)
      differences.push({
        kind: 'amount_mismatch',
        outTradeNo: t.outTradeNo,
        ours: mine,
        theirs: t.amountFen,
      });
    else if (ours.healedByStatement?.has(t.outTradeNo))
      differences.push({
        kind: 'missing_here',
        outTradeNo: t.outTradeNo,
        amountFen: t.amountFen,
        healed: true,
      });
    else matched++;
  }
  for (const [outTradeNo, amountFen] of ours.settlements)
    if (!seenTrades.has(outTradeNo)) differences.push({ kind: 'missing_there', outTradeNo, amountFen });
  const seenRefunds = new Set<string>();
  for (const r of statement.refunds) {
    seenRefunds.add(r.outRefundNo);
    const mine = ours.refunds.get(r.outRefundNo) ?? found.refund(r.outRefundNo);
    if (mine === null)
      differences.push({
        kind: 'refund_missing_here',
        outRefundNo: r.outRefundNo,
        outTradeNo: r.outTradeNo,
        refundFen: r.refundFen,
      });
    else if (mine !== r.refundFen)
      differences.push({
        kind: 'refund_amount_mismatch',
        outRefundNo: r.outRefundNo,
        ours: mine,
        theirs: r.refundFen,
      });
    else matched++;
  }
  for (const [outRefundNo, refundFen] of ours.refunds)
    if (!seenRefunds.has(outRefundNo))
      differences.push({ kind: 'refund_missing_there', outRefundNo, refundFen });
  return { matched, differences };
}

/** `YYYY-MM-DD` of a real calendar day. */
export const isStatementDate = (s: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};
