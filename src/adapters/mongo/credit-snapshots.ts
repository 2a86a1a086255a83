import { type Connection, Schema } from 'mongoose';
import type { CreditSnapshot } from '../../domain/figures';
import type { CreditSnapshots } from '../../domain/ports';
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

const schema = new Schema<SnapshotDoc>(
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

const LATEST = 'latest';
const idOf = (hour: number) => `h:${hour}`;

const toDomain = (d: SnapshotDoc): CreditSnapshot => ({
  throughHour: d.through_hour,
  issued: d.issued,
  spent: d.spent,
  takenBack: d.taken_back,
  outstanding: d.outstanding,
  createdAt: d.created_at,
});

/**
 * Snapshots are inserted once under `h:<hour>`; a `latest` document holds a copy of the newest, so
 * finding it is one point read (FerretDB would sort the whole collection). Moving it is a plain,
 * non-atomic replace: losing a race leaves an older snapshot there, which is just as true — the
 * dashboard then adds a few more hours to it.
 */
export class MongoCreditSnapshots implements CreditSnapshots {
  private readonly model;
  constructor(conn: Connection) {
    this.model = modelOf<SnapshotDoc>(conn, 'CreditSnapshot', schema);
  }

  async save(s: CreditSnapshot): Promise<void> {
    const doc = {
      through_hour: s.throughHour,
      issued: s.issued,
      spent: s.spent,
      taken_back: s.takenBack,
      outstanding: s.outstanding,
      created_at: s.createdAt,
    };
    await insertOnce(this.model, { _id: idOf(s.throughHour), ...doc });
    const pointer = await this.model.findById(LATEST).lean<SnapshotDoc>().exec();
    if (!pointer) await insertOnce(this.model, { _id: LATEST, ...doc });
    else if (pointer.through_hour < s.throughHour)
      await this.model.replaceOne({ _id: LATEST }, { _id: LATEST, ...doc }).exec();
  }

  async latest(): Promise<CreditSnapshot | null> {
    const pointer = await this.model.findById(LATEST).lean<SnapshotDoc>().exec();
    return pointer ? toDomain(pointer) : null;
  }
}
