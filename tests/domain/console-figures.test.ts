// The console's pure pieces: hour figures, the refund quote (checked against the refund use case
// itself), the CSV format and the dashboard/export use cases over memory storage.
import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import { MemoryFigureStore } from '../../src/adapters/memory/figure-store';
import { csvCell, csvLine, yuanText } from '../../src/domain/csv';
import { addSums, entrySums, hourOf, hourPart, sumHour, ZERO } from '../../src/domain/figures';
import type { EntryType } from '../../src/domain/ledger';
import { creditBaseline, dashboard, figureCache, localDayStart } from '../../src/domain/usecases/dashboard';
import { exportLedger } from '../../src/domain/usecases/export';
import { appendEntry } from '../../src/domain/usecases/ledger';
import { refundOrder } from '../../src/domain/usecases/refund';
import { refundQuote } from '../../src/domain/usecases/refund-quote';
import { balanceOf, completedOrder, refundDeps } from './refund-fixture';

describe('CSV cells', () => {
  it('quotes per RFC 4180 and guards formulas in text only', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@x')).toBe("'@x");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe('"\'\rx"');
    expect(csvCell(-100)).toBe('-100');
    expect(csvCell({ fen: 990 })).toBe('9.90');
    expect(csvCell({ fen: -5 })).toBe('-0.05');
    expect(csvCell(null)).toBe('');
    // A WeChat transaction id stays digits in Excel (a bare one shows as 4.20063E+27); short ones stay plain.
    expect(csvCell('4200001234202611270123456789')).toBe('"=""4200001234202611270123456789"""');
    expect(csvCell('12345678901')).toBe('12345678901');
    expect(csvLine(['订单', 1])).toBe('订单,1\r\n');
  });

  it('any text survives a round trip through an RFC 4180 reader, and never starts a formula', () => {
    const read = (field: string) => (field.startsWith('"') ? field.slice(1, -1).replace(/""/g, '"') : field);
    fc.assert(
      fc.property(
        fc
          .array(fc.constantFrom('a', '中', '=', '+', '-', '@', '\t', '\r', '\n', ',', '"', "'", ' '))
          .map((cs) => cs.join('')),
        (s) => {
          const cell = csvCell(s);
          const back = read(cell);
          expect(/^[=+\-@\t\r]/.test(back)).toBe(false);
          expect(back === s || back === `'${s}`).toBe(true);
          // Unquoted cells can hold no separator at all.
          if (!cell.startsWith('"')) expect(/[",\r\n]/.test(cell)).toBe(false);
        },
      ),
    );
  });

  it('writes fen as yuan with two decimals, exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (fen) => {
        expect(Math.round(Number(yuanText(fen)) * 100)).toBe(fen);
        expect(yuanText(fen)).toMatch(/^-?\d+\.\d{2}$/);
      }),
    );
  });
});

describe('hour figures', () => {
  const hour = hourOf(new Date('2026-11-27T02:00:00Z'));
  const at = (min: number) => new Date(hour * 3_600_000 + min * 60_000);
  const entry = (type: EntryType, amount: number, min: number) => ({
    id: 1,
    userId: 1,
    seq: 1,
    amount,
    balanceAfter: 0,
    type,
    description: '',
    relatedOrderId: null,
    idempotencyKey: 'k',
    createdAt: at(min),
  });

  it('classifies ledger entries; their net is the sum of amounts', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            type: fc.constantFrom<EntryType>('purchase', 'consume', 'refund', 'adjust'),
            amount: fc.integer({ min: -1000, max: 1000 }),
          }),
        ),
        (es) => {
          const s = es.map((e) => entrySums(e)).reduce(addSums, ZERO);
          const net = es.reduce((n, e) => n + e.amount, 0);
          expect(s.creditsNet).toBe(net);
          const signed = es.filter((e) => e.type !== 'purchase' && e.type !== 'adjust').length === es.length;
          if (signed) expect(s.creditsIssued).toBe(0);
        },
      ),
    );
  });

  it('splits an hour into quarters so a day starting at :30 (e.g. Asia/Kolkata) is exact', () => {
    const figures = sumHour(hour, {
      settlements: [
        { orderId: 1, paymentId: null, amountFen: 100, settledAt: at(10), source: 'callback' },
        { orderId: 2, paymentId: null, amountFen: 200, settledAt: at(40), source: 'callback' },
      ],
      entries: [entry('purchase', 100, 10), entry('consume', -30, 50)],
      changes: [{ orderId: 1, status: 'completed', at: at(59) }],
    });
    const second = hourPart(hour, figures, at(30), at(120));
    expect(second.salesFen).toBe(200);
    expect(second.creditsSpent).toBe(30);
    expect(second.creditsIssued).toBe(0);
    expect(second.completed).toBe(1);
    expect(hourPart(hour, figures, at(0), at(30)).salesFen).toBe(100);
  });

  it('local day start is local midnight in the zone', () => {
    const now = new Date('2026-11-27T01:00:00Z'); // 09:00 in Shanghai
    expect(localDayStart(now, 'Asia/Shanghai').toISOString()).toBe('2026-11-26T16:00:00.000Z');
    expect(localDayStart(now, 'Asia/Shanghai', 6).toISOString()).toBe('2026-11-20T16:00:00.000Z');
    expect(localDayStart(now, 'Asia/Kolkata').toISOString()).toBe('2026-11-26T18:30:00.000Z');
  });
});

describe('refund quote', () => {
  it('says what the refund use case then does (property over balance, spend, force)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 400 }),
        fc.boolean(),
        async (credits, extra, spendWish, force) => {
          const { deps } = refundDeps({ initial: 'SUCCESS', later: 'SUCCESS' });
          const spent = Math.min(spendWish, credits + extra);
          const order = await completedOrder(deps, credits, { extra, spent });
          const q = await refundQuote(deps)(order.id);
          if (!q.ok) throw new Error('quote failed');
          expect(q.value.action).toBe('new');
          expect(q.value.refundFen).toBe(990);
          expect(q.value.balance).toBe(credits + extra - spent);
          const before = await balanceOf(deps);
          const done = await refundOrder(deps)(order.id, { reason: 'test', force });
          if (q.value.needsForce && !force) {
            expect(done.ok).toBe(false);
            expect(await balanceOf(deps)).toBe(before);
            return;
          }
          expect(done.ok).toBe(true);
          const taken = before - (await balanceOf(deps));
          expect(taken).toBe(
            q.value.needsForce ? q.value.creditsOwed - q.value.shortfall : q.value.creditsTaken,
          );
          if (!q.value.needsForce) expect(q.value.shortfall).toBe(0);
          const after = await refundQuote(deps)(order.id);
          expect(after.ok && after.value.action).toBe('none');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a refund in flight is continued, not charged again; a closed one offers a retry', async () => {
    const { deps, provider } = refundDeps({ initial: 'PROCESSING', later: 'PROCESSING' });
    const order = await completedOrder(deps, 100);
    await refundOrder(deps)(order.id, { reason: 'x' });
    const inFlight = await refundQuote(deps)(order.id);
    expect(inFlight.ok && inFlight.value.action).toBe('continue');
    expect(inFlight.ok && inFlight.value.creditsTaken).toBe(100);
    provider.script.later = 'CLOSED';
    await refundOrder(deps)(order.id, { reason: 'x' });
    const closed = await refundQuote(deps)(order.id);
    if (!closed.ok) throw new Error('quote failed');
    expect(closed.value.action).toBe('retry');
    expect(closed.value.retryOf).toBe(closed.value.latest!.outRefundNo);
    expect(closed.value.balance).toBe(100);
  });

  it('an unpaid order is not refundable', async () => {
    const { deps } = refundDeps({ initial: 'SUCCESS', later: 'SUCCESS' });
    const { anOrder } = await import('../support/builders');
    const o = await deps.orders.create(anOrder());
    const q = await refundQuote(deps)(o.id);
    expect(q.ok && q.value.action).toBe('none');
    expect((await refundQuote(deps)(9999)).ok).toBe(false);
  });
});

describe('dashboard', () => {
  it('sums today and the week from hour buckets, caches within the TTL, and totals credits from the baseline', async () => {
    const { deps, clock } = refundDeps({ initial: 'SUCCESS', later: 'SUCCESS' });
    const figureStore = new MemoryFigureStore();
    const d = { ...deps, figureStore };
    const setClock = (at: Date) => clock.advance(at.getTime() - clock.now().getTime());
    setClock(new Date('2026-11-20T02:00:00Z'));
    await deps.users.ensure('o-1', clock.now()); // user 1: the baseline reads the ledger user by user
    await completedOrder(deps, 100, { spent: 30 }); // a week ago: outside the 7 days
    setClock(new Date('2026-11-26T02:00:00Z'));
    await completedOrder(deps, 100); // 6 days ago in Shanghai: inside
    // The baseline covers everything before the hour after "deploy".
    const base = hourOf(clock.now()) + 1;
    expect(await creditBaseline(d)(base)).toBeNull(); // that hour has not passed yet
    setClock(new Date(base * 3_600_000 + 6 * 60_000));
    expect((await creditBaseline(d)(base))?.outstanding).toBe(170);
    setClock(new Date('2026-11-27T03:00:00Z'));
    const order = await completedOrder(deps, 50);
    await refundOrder(deps)(order.id, { reason: 'x' });
    const view = dashboard(d, { ttlMs: 60_000, cap: 2 }, figureCache());
    const first = await view();
    expect(first.today).toMatchObject({ salesCount: 1, salesFen: 990, completed: 1, refunded: 1 });
    expect(first.last7Days).toMatchObject({ salesCount: 2, salesFen: 1980, creditsIssued: 150 });
    expect(first.credits).toEqual({ issued: 250, spent: 30, takenBack: 50, outstanding: 170 });
    expect(first.pending).toEqual({ count: 0, capped: false, oldestAt: null });
    // Within the TTL the same figures come back, even though the store moved on.
    await completedOrder(deps, 10);
    clock.advance(30_000);
    expect(await view()).toBe(first);
    expect((await view(10_000)).today.salesCount).toBe(2); // a refresh may ask for fresher figures
    clock.advance(31_000);
    const later = await view();
    expect(later.today.salesCount).toBe(2);
    expect(later.credits?.outstanding).toBe(180);
  });

  it('caps open counts', async () => {
    const { deps } = refundDeps({ initial: 'SUCCESS', later: 'SUCCESS' });
    const { anOrder } = await import('../support/builders');
    for (let i = 0; i < 3; i++) await deps.orders.create(anOrder());
    const view = await dashboard(deps, { ttlMs: 0, cap: 2 }, figureCache())();
    expect(view.pending).toMatchObject({ count: 2, capped: true });
    expect(view.credits).toBeNull();
  });
});

describe('ledger export', () => {
  it('streams BOM + header + rows and cuts at the cap with a final row', async () => {
    const { deps } = refundDeps({ initial: 'SUCCESS', later: 'SUCCESS' });
    for (let i = 0; i < 7; i++)
      await appendEntry(deps, {
        userId: 1,
        amount: 10,
        type: 'adjust',
        description: i === 0 ? '=HYPERLINK("x")' : `补偿${i}`,
        relatedOrderId: null,
        idempotencyKey: `a${i}`,
      });
    const chunks: string[] = [];
    for await (const c of exportLedger(deps, { pageSize: 2, maxRows: 5 })(1)) chunks.push(c);
    const text = chunks.join('');
    expect(text.startsWith('\uFEFF流水ID,')).toBe(true);
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(1 + 5 + 1);
    expect(lines.at(-1)).toContain('已达导出上限');
    const all: string[] = [];
    for await (const c of exportLedger(deps, { pageSize: 2, maxRows: 7 })(1)) all.push(c);
    const full = all.join('').split('\r\n').filter(Boolean);
    expect(full).toHaveLength(8);
    expect(full.at(-1)).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
