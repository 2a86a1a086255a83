import { type Connection, Schema } from 'mongoose';
import type { CreditSnapshot, HourFigures } from '../../domain/figures';
import type { FigureStore } from '../../domain/ports';
import { insertOnce, modelOf, schemaOptions } from './connection';

interface SnapshotDoc {
  _id: string;
  through_hour: number;
  issued: number;
  spent: number;
  taken_back: number;
  outstanding: number;
  created_at: Date;
}

interface HourDoc {
  _id: string;
  /** The four quarter-hour sums, read back whole (figures.ts `Sums`), never queried. */
  quarters: HourFigures;
}

const snapshotSchema = new Schema<SnapshotDoc>(
  {
    _id: String,
    through_hour: { type: Number, required: true },
    issued: { type: Number, required: true },
    spent: { type: Number, required: true },
    taken_back: { type: Number, required: true },
    outstanding: { type: Number, required: true },
    created_at: { type: Date, required: true },
  },
  schemaOptions('credit_snapshots'),
);
const hourSchema = new Schema<HourDoc>(
  { _id: String, quarters: { type: Schema.Types.Mixed, required: true } },
  schemaOptions('hour_figures'),
);

const LATEST = 'latest';

const toSnapshot = (d: SnapshotDoc): CreditSnapshot => ({
  throughHour: d.through_hour,
  issued: d.issued,
  spent: d.spent,
  takenBack: d.taken_back,
  outstanding: d.outstanding,
  createdAt: d.created_at,
});

/**
 * Hours and snapshots are inserted once under their hour (`_id`). A `latest` document holds a copy of
 * the newest snapshot, so finding it is one point read (FerretDB would sort the whole collection).
 * Moving it is a plain, non-atomic replace: losing a race leaves an older snapshot there, which is
 * just as true — the dashboard then adds a few more hours to it.
 */
export class MongoFigureStore implements FigureStore {
  private readonly snapshots;
  private readonly hours;
  constructor(conn: Connection) {
    this.snapshots = modelOf<SnapshotDoc>(conn, 'CreditSnapshot', snapshotSchema);
    this.hours = modelOf<HourDoc>(conn, 'HourFigures', hourSchema);
  }

  async saveHour(hour: number, figures: HourFigures): Promise<void> {
    await insertOnce(this.hours, { _id: String(hour), quarters: figures });
  }

  async hour(hour: number): Promise<HourFigures | null> {
    const doc = await this.hours.findById(String(hour)).lean<HourDoc>().exec();
    return doc ? doc.quarters : null;
  }

  async saveSnapshot(s: CreditSnapshot): Promise<void> {
    const doc = {
      through_hour: s.throughHour,
      issued: s.issued,
      spent: s.spent,
      taken_back: s.takenBack,
      outstanding: s.outstanding,
      created_at: s.createdAt,
    };
    await insertOnce(this.snapshots, { _id: `h:${s.throughHour}`, ...doc });
    const pointer = await this.snapshots.findById(LATEST).lean<SnapshotDoc>().exec();
    if (!pointer) await insertOnce(this.snapshots, { _id: LATEST, ...doc });
    else if (pointer.through_hour < s.throughHour)
      await this.snapshots.replaceOne({ _id: LATEST }, { _id: LATEST, ...doc }).exec();
  }

  async latestSnapshot(): Promise<CreditSnapshot | null> {
    const pointer = await this.snapshots.findById(LATEST).lean<SnapshotDoc>().exec();
    return pointer ? toSnapshot(pointer) : null;
  }
}
