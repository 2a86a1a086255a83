import { finishedAfter, type StoredAuditReport } from '../../domain/audit';
import type { AuditReports } from '../../domain/ports';

export class MemoryAuditReports implements AuditReports {
  private readonly rows = new Map<string, StoredAuditReport>();

  /** No await between the check and the set: first writer wins, like the Mongo `_id` insert. */
  async save(report: StoredAuditReport): Promise<boolean> {
    if (this.rows.has(report.id)) return false;
    this.rows.set(report.id, report);
    return true;
  }

  async latest(): Promise<StoredAuditReport | null> {
    let newest: StoredAuditReport | null = null;
    for (const r of this.rows.values()) if (!newest || finishedAfter(r, newest)) newest = r;
    return newest;
  }
}
