import { type Connection, Schema } from 'mongoose';
import {
  type AuditReport,
  type AuditTrigger,
  finishedAfter,
  type StoredAuditReport,
} from '../../domain/audit';
import type { AuditReports } from '../../domain/ports';
import { insertOnce, modelOf, schemaOptions } from './connection';

interface RunDoc {
  _id: string;
  trigger: AuditTrigger;
  started_at: Date;
  finished_at: Date;
  report: AuditReport;
}

const schema = new Schema<RunDoc>(
  {
    _id: String,
    trigger: { type: String, required: true },
    started_at: { type: Date, required: true },
    finished_at: { type: Date, required: true },
    // The report is read back whole, never queried: one mixed value.
    report: { type: Schema.Types.Mixed, required: true },
  },
  schemaOptions('audit_reports'),
);

/** One small document per run, so finding the latest reads no report (with its findings) but that one. */
interface HeadDoc {
  _id: string;
  finished_at: Date;
}

const headSchema = new Schema<HeadDoc>(
  { _id: String, finished_at: { type: Date, required: true } },
  schemaOptions('audit_report_heads'),
);

const toDomain = (d: RunDoc): StoredAuditReport => ({
  id: d._id,
  trigger: d.trigger,
  startedAt: d.started_at,
  finishedAt: d.finished_at,
  // Clean reports stored before `minimize: false` (connection.ts) lack their empty `violations`.
  report: { ...d.report, violations: d.report.violations ?? {} },
});

/** `_id` = the run's id: each run is one unique insert, and no document is ever updated. */
export class MongoAuditReports implements AuditReports {
  private readonly model;
  private readonly heads;
  constructor(conn: Connection) {
    this.model = modelOf<RunDoc>(conn, 'AuditReport', schema);
    this.heads = modelOf<HeadDoc>(conn, 'AuditReportHead', headSchema);
  }

  /**
   * The report, then its head (only by the writer whose report was stored, so the two agree): a crash
   * in between leaves a report that never shows as the latest, never a head without its report.
   */
  async save(r: StoredAuditReport): Promise<boolean> {
    const saved = await insertOnce(this.model, {
      _id: r.id,
      trigger: r.trigger,
      started_at: r.startedAt,
      finished_at: r.finishedAt,
      report: r.report,
    });
    if (saved) await insertOnce(this.heads, { _id: r.id, finished_at: r.finishedAt });
    return saved;
  }

  /**
   * The runs are few (one a day plus those started by hand), so every head is read and the newest
   * picked here; then that one report, findings and all, by its `_id` (FerretDB would read every
   * report whole for a projection of them). No "latest" pointer: it would be a document updated in place.
   */
  async latest(): Promise<StoredAuditReport | null> {
    const heads = await this.heads.find({}).lean<HeadDoc[]>().exec();
    let newest: { id: string; finishedAt: Date } | undefined;
    for (const h of heads) {
      const run = { id: h._id, finishedAt: h.finished_at };
      if (!newest || finishedAfter(run, newest)) newest = run;
    }
    if (!newest) return null;
    const doc = await this.model.findById(newest.id).lean<RunDoc>().exec();
    return doc ? toDomain(doc) : null;
  }
}
