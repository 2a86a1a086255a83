import { beforeEach, describe, expect, it } from 'bun:test';
import type { StatementReport } from '../../src/domain/statement';
import { T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

export function statementReportsContract(make: MakeRepositories) {
  describe('StatementReports', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });
    const report = (date: string, matched = 1): StatementReport => ({
      date,
      createdAt: T0,
      trades: 2,
      refunds: 1,
      matched,
      differences: [
        { kind: 'missing_here', outTradeNo: 'P1', amountFen: 990, healed: true },
        { kind: 'refund_missing_there', outRefundNo: 'R1', refundFen: 990 },
      ],
    });

    it('keeps the first report of a date and returns it to later writers', async () => {
      expect(await repos.statementReports.save(report('2026-11-26'))).toEqual({
        report: report('2026-11-26'),
        created: true,
      });
      expect(await repos.statementReports.save(report('2026-11-26', 9))).toEqual({
        report: report('2026-11-26'),
        created: false,
      });
      expect(await repos.statementReports.find('2026-11-26')).toEqual(report('2026-11-26'));
      expect(await repos.statementReports.find('2026-11-25')).toBeNull();
    });

    it('stores one of 10 concurrent writers of a date', async () => {
      const saved = await Promise.all(
        Array.from({ length: 10 }, (_, i) => repos.statementReports.save(report('2026-11-20', i))),
      );
      expect(saved.filter((s) => s.created)).toHaveLength(1);
      const winner = saved.find((s) => s.created)?.report;
      for (const s of saved) expect(s.report).toEqual(winner as StatementReport);
    });

    it('lists newest date first, paged', async () => {
      for (const d of ['2026-11-24', '2026-11-26', '2026-11-25'])
        await repos.statementReports.save(report(d));
      const dates = (await repos.statementReports.list({ skip: 0, limit: 2 })).map((r) => r.date);
      expect(dates).toEqual(['2026-11-26', '2026-11-25']);
      expect((await repos.statementReports.list({ skip: 2, limit: 2 })).map((r) => r.date)).toEqual([
        '2026-11-24',
      ]);
    });
  });
}
