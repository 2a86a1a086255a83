import { describe, expect, it } from 'bun:test';
import { MemoryStatementReports } from '../../src/adapters/memory/statement-reports';
import type { Statements } from '../../src/domain/payment';
import { err, ok } from '../../src/domain/result';
import { isStatementDate, type Statement } from '../../src/domain/statement';
import { refundOrder } from '../../src/domain/usecases/refund';
import { settleOrder } from '../../src/domain/usecases/settle';
import { dayBounds, dueStatementDate, reconcileStatement } from '../../src/domain/usecases/statement';
import { anOrder, T0 } from '../support/builders';
import { domainDeps } from '../support/domain-deps';

/** T0 is 2023-07-01 12:00 in Shanghai. */
const DATE = '2023-07-01';

async function day() {
  const { deps, logs, provider, clock } = domainDeps();
  let statement: Statement = { date: DATE, trades: [], refunds: [] };
  let downloads = 0;
  const statements: Statements = {
    async download() {
      downloads++;
      return ok(statement);
    },
  };
  const sdeps = { ...deps, statements, statementReports: new MemoryStatementReports() };
  const settled = async (amountFen = 990) => {
    const order = await deps.orders.create(anOrder({ amountFen, userId: 7 }));
    const r = await settleOrder(deps)(order, {
      paymentId: `4200${order.id}`,
      amountFen,
      paidAt: T0,
      source: 'callback',
    });
    if (!r.ok) throw new Error('settle failed');
    return order;
  };
  return {
    deps: sdeps,
    logs,
    provider,
    settled,
    setStatement: (s: Omit<Statement, 'date'>) => {
      statement = { date: DATE, ...s };
    },
    downloads: () => downloads,
    /** 2023-07-02 00:00 in Shanghai: DATE is over, its report is final. */
    dayOver: () => clock.advance(12 * 3_600_000),
  };
}

describe('statement reconciliation', () => {
  it('reports exactly the lost payment (healed once) and the amount difference; a second run changes nothing', async () => {
    const d = await day();
    const normal = await d.settled();
    const differing = await d.settled();
    const refunded = await d.settled();
    // The order whose callback and queries were all lost: paid there, pending here.
    const lost = await d.deps.orders.create(anOrder({ userId: 8 }));
    const refund = await refundOrder(d.deps)(refunded.id);
    expect(refund.ok).toBe(true);
    const outRefundNo = (await d.deps.refunds.attempts(refunded.id))[0]?.outRefundNo as string;
    const trade = (o: { orderNo: string }, amountFen = 990) => ({
      outTradeNo: o.orderNo,
      transactionId: `t-${o.orderNo}`,
      amountFen,
      paidAt: T0,
    });
    d.setStatement({
      trades: [trade(normal), trade(differing, 1990), trade(refunded), trade(lost)],
      refunds: [{ outRefundNo, outTradeNo: refunded.orderNo, refundFen: 990 }],
    });

    d.dayOver();
    const first = await reconcileStatement(d.deps)(DATE);
    if (!first.ok) throw new Error('run failed');
    expect(first.value.created).toBe(true);
    expect(first.value.report).toMatchObject({ date: DATE, trades: 4, refunds: 1, matched: 3 });
    expect(first.value.report.differences).toEqual([
      { kind: 'amount_mismatch', outTradeNo: differing.orderNo, ours: 990, theirs: 1990 },
      { kind: 'missing_here', outTradeNo: lost.orderNo, amountFen: 990, healed: true },
    ]);
    expect((await d.deps.orders.findById(lost.id))?.status).toBe('completed');
    expect((await d.deps.settlements.find(lost.id))?.source).toBe('statement');
    expect((await d.deps.ledger.head(8))?.balanceAfter).toBe(100);
    expect(d.logs.filter((l) => l.event === 'statement.differences')).toHaveLength(1);

    const second = await reconcileStatement(d.deps)(DATE);
    expect(second.ok && second.value).toEqual({
      report: first.value.report,
      created: false,
      provisional: false,
    });
    expect(d.downloads()).toBe(1);
    expect((await d.deps.ledger.list(8, { skip: 0, limit: 10 })).length).toBe(1);
  });

  it('does not heal a missing payment whose transaction already pays another order', async () => {
    const d = await day();
    const holder = await d.settled();
    const other = await d.deps.orders.create(anOrder({ userId: 9 }));
    d.setStatement({
      trades: [
        { outTradeNo: holder.orderNo, transactionId: `4200${holder.id}`, amountFen: 990, paidAt: T0 },
        { outTradeNo: other.orderNo, transactionId: `4200${holder.id}`, amountFen: 990, paidAt: T0 },
      ],
      refunds: [],
    });
    d.dayOver();
    const run = await reconcileStatement(d.deps)(DATE);
    expect(run.ok && run.value.report.differences).toEqual([
      { kind: 'missing_here', outTradeNo: other.orderNo, amountFen: 990, healed: false },
    ]);
    expect((await d.deps.orders.findById(other.id))?.status).toBe('pending');
    expect((await d.deps.ledger.head(9))?.balanceAfter ?? 0).toBe(0);
    expect(await d.deps.reviews.find(`${other.id}:payment_reused`)).not.toBeNull();
  });

  it('reports ours missing there and refunds on either side only', async () => {
    const d = await day();
    const unlisted = await d.settled();
    const refunded = await d.settled();
    await refundOrder(d.deps)(refunded.id);
    const ourRefund = (await d.deps.refunds.attempts(refunded.id))[0]?.outRefundNo as string;
    d.setStatement({
      trades: [{ outTradeNo: refunded.orderNo, transactionId: 't', amountFen: 990, paidAt: T0 }],
      refunds: [{ outRefundNo: 'R-THEIRS-ONLY', outTradeNo: refunded.orderNo, refundFen: 500 }],
    });
    d.dayOver();
    const run = await reconcileStatement(d.deps)(DATE);
    if (!run.ok) throw new Error('run failed');
    expect(run.value.report.differences).toEqual([
      { kind: 'missing_there', outTradeNo: unlisted.orderNo, amountFen: 990 },
      {
        kind: 'refund_missing_here',
        outRefundNo: 'R-THEIRS-ONLY',
        outTradeNo: refunded.orderNo,
        refundFen: 500,
      },
      { kind: 'refund_missing_there', outRefundNo: ourRefund, refundFen: 990 },
    ]);
  });

  it('stores nothing when the statement cannot be downloaded, so a later run tries again', async () => {
    const d = await day();
    const deps = {
      ...d.deps,
      statements: {
        download: async () => err({ kind: 'provider_unavailable' as const, message: 'not ready' }),
      },
    };
    // Today's bill may simply not exist yet (WeChat Pay makes it the next morning): not a failed run.
    expect((await reconcileStatement(deps)(DATE)).ok).toBe(false);
    expect(d.logs.map((l) => l.event)).toEqual(['statement.provisional_unavailable']);
    d.dayOver();
    const run = await reconcileStatement(deps)(DATE);
    expect(run.ok).toBe(false);
    expect(await d.deps.statementReports.find(DATE)).toBeNull();
    expect(d.logs.map((l) => l.event)).toContain('statement.failed');
  });

  it('refuses a day that has not begun in Beijing (a mistyped year), and stores nothing', async () => {
    const d = await day();
    // T0 is 2023-07-01 12:00 in Shanghai: the next day has not begun.
    for (const date of ['2023-07-02', '2030-01-01']) {
      const run = await reconcileStatement(d.deps)(date);
      expect(run).toEqual({ ok: false, error: { kind: 'statement_day_open', date } });
      expect(await d.deps.statementReports.find(date)).toBeNull();
    }
    expect(d.downloads()).toBe(0);
    expect((await reconcileStatement(d.deps)(DATE)).ok).toBe(true);
  });

  it('runs today provisionally: heals what it finds, stores nothing, and the day is reconciled once over', async () => {
    const d = await day();
    const lost = await d.deps.orders.create(anOrder({ userId: 8 }));
    const trade = {
      outTradeNo: lost.orderNo,
      transactionId: `t-${lost.orderNo}`,
      amountFen: 990,
      paidAt: T0,
    };
    d.setStatement({ trades: [trade], refunds: [] });
    const today = await reconcileStatement(d.deps)(DATE);
    expect(today.ok && today.value).toMatchObject({ created: false, provisional: true });
    expect(today.ok && today.value.report.differences).toEqual([
      { kind: 'missing_here', outTradeNo: lost.orderNo, amountFen: 990, healed: true },
    ]);
    expect((await d.deps.ledger.head(8))?.balanceAfter).toBe(100);
    expect(await d.deps.statementReports.find(DATE)).toBeNull();
    expect(d.logs.map((l) => l.event)).toContain('statement.provisional');

    // Another payment lost later that day, then the day ends: the daily run finds and heals it too.
    const later = await d.deps.orders.create(anOrder({ userId: 9 }));
    d.setStatement({
      trades: [
        trade,
        { outTradeNo: later.orderNo, transactionId: `t-${later.orderNo}`, amountFen: 990, paidAt: T0 },
      ],
      refunds: [],
    });
    d.dayOver();
    const final = await reconcileStatement(d.deps)(DATE);
    expect(final.ok && final.value).toMatchObject({ created: true, provisional: false });
    // The final report keeps the trace of both lost payments, the one healed earlier included.
    expect(final.ok && final.value.report).toMatchObject({ trades: 2, matched: 0 });
    expect(final.ok && final.value.report.differences).toEqual([
      { kind: 'missing_here', outTradeNo: lost.orderNo, amountFen: 990, healed: true },
      { kind: 'missing_here', outTradeNo: later.orderNo, amountFen: 990, healed: true },
    ]);
    expect((await d.deps.ledger.head(8))?.balanceAfter).toBe(100);
    expect((await d.deps.ledger.head(9))?.balanceAfter).toBe(100);
    expect(await d.deps.statementReports.find(DATE)).not.toBeNull();
  });

  it('counts a payment by its local calendar day', () => {
    const { start, end } = dayBounds(DATE, 'Asia/Shanghai');
    expect(start.toISOString()).toBe('2023-06-30T16:00:00.000Z');
    expect(end.toISOString()).toBe('2023-07-01T16:00:00.000Z');
  });

  it('is due for yesterday once the configured local hour has come', () => {
    // 2023-07-01 09:59 and 10:00 in Shanghai.
    expect(dueStatementDate(new Date('2023-07-01T01:59:00Z'), 10)).toBeNull();
    expect(dueStatementDate(new Date('2023-07-01T02:00:00Z'), 10)).toBe('2023-06-30');
    expect(dueStatementDate(new Date('2023-03-01T02:00:00Z'), 0)).toBe('2023-02-28');
  });

  it('accepts only real calendar dates', () => {
    expect(isStatementDate('2024-02-29')).toBe(true);
    expect(isStatementDate('2023-02-29')).toBe(false);
    expect(isStatementDate('2023-7-1')).toBe(false);
  });
});
