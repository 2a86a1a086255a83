import type { Page, StatementReports } from '../../domain/ports';
import type { StatementReport } from '../../domain/statement';

export class MemoryStatementReports implements StatementReports {
  private readonly rows = new Map<string, StatementReport>();

  /** No await between the check and the set: first writer wins, like the Mongo `_id` insert. */
  async save(report: StatementReport): Promise<{ report: StatementReport; created: boolean }> {
    const existing = this.rows.get(report.date);
    if (existing) return { report: existing, created: false };
    this.rows.set(report.date, report);
    return { report, created: true };
  }

  async find(date: string): Promise<StatementReport | null> {
    return this.rows.get(date) ?? null;
  }

  async list(page: Page): Promise<StatementReport[]> {
    return [...this.rows.values()]
      .sort((a, b) => b.date.localeCompare(a.date))
      .slice(page.skip, page.skip + page.limit);
  }
}
