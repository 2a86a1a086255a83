import { type Connection, Schema } from 'mongoose';
import type { Page, StatementReports } from '../../domain/ports';
import type { StatementDifference, StatementReport } from '../../domain/statement';
import { insertOnce, modelOf, schemaOptions } from './connection';

interface ReportDoc {
  _id: string;
  created_at: Date;
  trades: number;
  refunds: number;
  matched: number;
  differences: StatementDifference[];
}

const schema = new Schema<ReportDoc>(
  {
    _id: String,
    created_at: { type: Date, required: true },
    trades: { type: Number, required: true },
    refunds: { type: Number, required: true },
    matched: { type: Number, required: true },
    // The differences are read back whole, never queried: one mixed value.
    differences: { type: Schema.Types.Mixed, required: true },
  },
  schemaOptions('statement_reports'),
);

const toDomain = (d: ReportDoc): StatementReport => ({
  date: d._id,
  createdAt: d.created_at,
  trades: d.trades,
  refunds: d.refunds,
  matched: d.matched,
  differences: d.differences,
});

/** `_id` = the statement date: the unique insert is what makes one run per date count. */
export class MongoStatementReports implements StatementReports {
  private readonly model;
  constructor(conn: Connection) {
    this.model = modelOf<ReportDoc>(conn, 'StatementReport', schema);
  }

  async save(r: StatementReport): Promise<{ report: StatementReport; created: boolean }> {
    const created = await insertOnce(this.model, {
      _id: r.date,
      created_at: r.createdAt,
      trades: r.trades,
      refunds: r.refunds,
      matched: r.matched,
      differences: r.differences,
    });
    if (created) return { report: r, created: true };
    const winner = await this.find(r.date);
    if (!winner) throw new Error(`statement report ${r.date} reported duplicate but cannot be read`);
    return { report: winner, created: false };
  }

  async find(date: string): Promise<StatementReport | null> {
    const doc = await this.model.findById(date).lean<ReportDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  /** An admin listing, one document per day: sorting the few hundred of a year is cheap. */
  async list(page: Page): Promise<StatementReport[]> {
    const docs = await this.model
      .find({})
      .sort({ _id: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<ReportDoc[]>()
      .exec();
    return docs.map(toDomain);
  }
}
