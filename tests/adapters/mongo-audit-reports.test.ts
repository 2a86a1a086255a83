import { describe, expect, it } from 'bun:test';
import { MongoAuditReports } from '../../src/adapters/mongo/audit-reports';
import type { StoredAuditReport } from '../../src/domain/audit';
import { T0 } from '../support/builders';
import { processesOverOneDatabase } from '../support/processes';

/**
 * GET /api/admin/audit and the console's 数据核查 read the latest report on every view: through the
 * small heads, never every stored report with its findings (FerretDB would read each whole).
 */
describe('Mongo audit reports (FerretDB unless TEST_MONGODB_URI)', () => {
  const store = processesOverOneDatabase('audit_reports', (conn) => new MongoAuditReports(conn));
  const run = (id: string, minute: number): StoredAuditReport => ({
    id,
    trigger: 'daily',
    startedAt: new Date(T0.getTime() + (minute - 1) * 60_000),
    finishedAt: new Date(T0.getTime() + minute * 60_000),
    report: {
      ok: false,
      scanned: { users: 1, entries: 1, orders: 1, reviews: 0 },
      violations: { order_status: 200 },
      findings: Array.from({ length: 200 }, (_, i) => ({
        check: 'order_status',
        subject: `order ${i}`,
        message: 'settled but pending',
      })),
    },
  });

  it('reads the heads and then the one latest report by _id', async () => {
    const writer = await store.open();
    for (let i = 1; i <= 5; i++) await writer.save(run(`r${i}`, i * 10));
    const { result, started } = await store.watched((reports) => reports.latest());
    expect(result?.id).toBe('r5');
    const reportReads = started('find').filter((c) => c.find === 'audit_reports');
    expect(reportReads.map((c) => c.filter)).toEqual([{ _id: 'r5' }]);
  });
});

describe('Mongo audit reports stored before minimize: false', () => {
  const store = processesOverOneDatabase('audit_reports_old', (conn) => new MongoAuditReports(conn));

  it('stores a clean report with its empty violations (schemas keep empty objects)', async () => {
    const reports = await store.open();
    // Finished before the old-shaped report below, which that test reads as the latest.
    const at = T0;
    const report = {
      ok: true,
      scanned: { users: 0, entries: 0, orders: 0, reviews: 0 },
      violations: {},
      findings: [],
    };
    await reports.save({ id: 'new-clean', trigger: 'api', startedAt: T0, finishedAt: at, report });
    const raw = await store
      .db()
      .collection('audit_reports')
      .findOne({ _id: 'new-clean' as never });
    expect(raw?.report).toEqual(report);
  });

  it('reads a clean report stored without its empty violations as having none', async () => {
    const reports = await store.open();
    const at = new Date(T0.getTime() + 60_000);
    // What mongoose wrote for a clean run before: the empty `violations` object left out.
    await store
      .db()
      .collection('audit_reports')
      .insertOne({
        _id: 'old-clean' as never,
        trigger: 'daily',
        started_at: T0,
        finished_at: at,
        report: { ok: true, scanned: { users: 3, entries: 4, orders: 2, reviews: 0 }, findings: [] },
      });
    await store
      .db()
      .collection('audit_report_heads')
      .insertOne({ _id: 'old-clean' as never, finished_at: at });
    expect((await reports.latest())?.report).toEqual({
      ok: true,
      scanned: { users: 3, entries: 4, orders: 2, reviews: 0 },
      violations: {},
      findings: [],
    });
  });
});
