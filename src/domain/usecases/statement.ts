import { statementAlert } from '../alert-kinds';
import type { Fen } from '../money';
import type { ProviderError, Statements } from '../payment';
import type { StatementReports } from '../ports';
import { err, ok, type Result } from '../result';
import {
  compareStatement,
  STATEMENT_TIME_ZONE,
  type Statement,
  type StatementDifference,
  type StatementReport,
  statementDay,
} from '../statement';
import { localParts, localToInstant } from '../time';
import type { Deps } from './deps';
import { settleOrder } from './settle';

export interface StatementDeps extends Deps {
  readonly statements: Statements;
  readonly statementReports: StatementReports;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The day `date` (`YYYY-MM-DD`) in the shop's time zone, as [start, end). */
export function dayBounds(date: string, timeZone: string): { start: Date; end: Date } {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const start = localToInstant({ year, month, day }, timeZone);
  // The next local midnight, not start + 24 h: a DST zone has 23- and 25-hour days.
  const next = new Date(Date.UTC(year, month - 1, day) + DAY_MS);
  const end = localToInstant(
    { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() },
    timeZone,
  );
  return { start, end };
}

const within = (at: Date, day: { start: Date; end: Date }) => at >= day.start && at < day.end;

/**
 * Our books for the day. Streams the orders that can hold a settlement or a refund (a background
 * job may scan; it pages through the driver cursor) and reads each one's records by id.
 */
async function ourDay(deps: StatementDeps, day: { start: Date; end: Date }) {
  const settlements = new Map<string, Fen>();
  const refunds = new Map<string, Fen>();
  const healedByStatement = new Set<string>();
  for (const status of ['paid', 'completed', 'refunded'] as const) {
    for await (const order of deps.orders.scan({ status })) {
      const s = await deps.settlements.find(order.id);
      if (s && within(s.settledAt, day)) {
        settlements.set(order.orderNo, s.amountFen);
        if (s.source === 'statement') healedByStatement.add(order.orderNo);
      }
      if (status === 'paid') continue;
      for (const a of await deps.refunds.attempts(order.id)) {
        const final = (await deps.refunds.events(a.outRefundNo)).find((e) => e.stage === 'final');
        if (final?.stage === 'final' && final.outcome === 'succeeded' && within(final.at, day))
          refunds.set(a.outRefundNo, a.refundFen);
      }
    }
  }
  return { settlements, refunds, healedByStatement };
}

/** Point reads for provider rows our day did not hold (recorded on the other side of midnight). */
async function lookups(deps: StatementDeps, statement: Statement, ours: Awaited<ReturnType<typeof ourDay>>) {
  const trades = new Map<string, Fen | null>();
  for (const t of statement.trades) {
    if (ours.settlements.has(t.outTradeNo)) continue;
    const order = await deps.orders.findByOrderNo(t.outTradeNo);
    const s = order ? await deps.settlements.find(order.id) : null;
    trades.set(t.outTradeNo, s ? s.amountFen : null);
  }
  const refunds = new Map<string, Fen | null>();
  for (const r of statement.refunds) {
    if (ours.refunds.has(r.outRefundNo)) continue;
    const a = await deps.refunds.findByOutRefundNo(r.outRefundNo);
    const final = a ? (await deps.refunds.events(a.outRefundNo)).find((e) => e.stage === 'final') : undefined;
    const succeeded = final?.stage === 'final' && final.outcome === 'succeeded';
    refunds.set(r.outRefundNo, a && succeeded ? a.refundFen : null);
  }
  return {
    settlement: (no: string) => trades.get(no) ?? null,
    refund: (no: string) => refunds.get(no) ?? null,
  };
}

/** The date asked for has not begun yet in STATEMENT_TIME_ZONE. */
export interface StatementDayOpen {
  readonly kind: 'statement_day_open';
  readonly date: string;
}

/**
 * Reconciles one day's statement with our books and stores the report — once per date: a date that
 * has a report is not run again, and when instances race, the first insert of the report wins (the
 * healing each did is the idempotent settle use case, so running it twice changes nothing).
 * A trade paid there but not here is settled and granted through `settleOrder`, like a late callback.
 * Today (Beijing) has not ended: its run heals what it finds and answers a `provisional` report that
 * is not stored, so the daily job still reconciles the whole day once it is over.
 */
export function reconcileStatement(deps: StatementDeps) {
  return async (
    date: string,
  ): Promise<
    Result<
      { report: StatementReport; created: boolean; provisional: boolean },
      ProviderError | StatementDayOpen
    >
  > => {
    // A report is final (a date with one never runs again): a future date has nothing to reconcile.
    const today = statementDay(deps.clock.now());
    if (date > today) return err({ kind: 'statement_day_open', date });
    const provisional = date === today;
    const existing = await deps.statementReports.find(date);
    if (existing) return ok({ report: existing, created: false, provisional: false });
    const downloaded = await deps.statements.download(date);
    if (!downloaded.ok) {
      // Today's bill may not exist yet (WeChat Pay makes it the next morning): not a failed daily run.
      const event = provisional ? 'statement.provisional_unavailable' : 'statement.failed';
      deps.log(event, { date, reason: downloaded.error.kind, detail: downloaded.error.message });
      return err(downloaded.error);
    }
    const statement = downloaded.value;
    const ours = await ourDay(deps, dayBounds(date, STATEMENT_TIME_ZONE));
    const compared = compareStatement(statement, ours, await lookups(deps, statement, ours));
    const differences: StatementDifference[] = [];
    for (const d of compared.differences) {
      if (d.kind !== 'missing_here') {
        differences.push(d);
        continue;
      }
      const trade = statement.trades.find((t) => t.outTradeNo === d.outTradeNo);
      const order = await deps.orders.findByOrderNo(d.outTradeNo);
      const healed =
        order && trade
          ? await settleOrder(deps)(order, {
              paymentId: trade.transactionId,
              amountFen: trade.amountFen,
              paidAt: trade.paidAt,
              source: 'statement',
            })
          : undefined;
      differences.push({ ...d, healed: healed?.ok === true });
    }
    const report: StatementReport = {
      date,
      createdAt: deps.clock.now(),
      trades: statement.trades.length,
      refunds: statement.refunds.length,
      matched: compared.matched,
      differences,
    };
    if (provisional) {
      deps.log('statement.provisional', { date, matched: compared.matched, differences: differences.length });
      return ok({ report, created: false, provisional: true });
    }
    const saved = await deps.statementReports.save(report);
    if (saved.created) {
      const byKind: Record<string, number> = {};
      for (const d of differences) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
      deps.log(differences.length > 0 ? 'statement.differences' : 'statement.reconciled', {
        date,
        trades: statement.trades.length,
        refunds: statement.refunds.length,
        matched: compared.matched,
        ...byKind,
      });
      if (differences.length > 0) deps.alerts?.raise(statementAlert(date, differences));
    }
    return ok({ ...saved, provisional: false });
  };
}

/** The statement date to reconcile at `now`: yesterday (Beijing), once that hour (Beijing) has come. */
export function dueStatementDate(now: Date, hour: number, timeZone = STATEMENT_TIME_ZONE): string | null {
  const local = localParts(now, timeZone);
  if (Number(local.hour) < hour) return null;
  const yesterday = new Date(Date.UTC(+local.year, +local.month - 1, +local.day) - DAY_MS);
  return yesterday.toISOString().slice(0, 10);
}
