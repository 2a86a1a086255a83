import { type Connection, Schema } from 'mongoose';
import type { OnceKeys } from '../../domain/ports';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { digest, expiryMinute, expiryPurger } from './expiry';

interface OnceDoc {
  _id: string;
  note: string | null;
  exp: number;
}

const schema = new Schema<OnceDoc>(
  {
    _id: String,
    note: { type: String, default: null },
    exp: { type: Number, required: true, index: true },
  },
  schemaOptions('once_keys'),
);

/** `_id` = digest of the key: the unique insert picks the one first claimer. */
export class MongoOnceKeys implements OnceKeys {
  private readonly model;
  readonly purge;

  constructor(conn: Connection) {
    this.model = modelOf<OnceDoc>(conn, 'OnceKey', schema);
    this.purge = expiryPurger(conn, 'once_keys', this.model);
  }

  async claim(key: string, until: Date): Promise<{ first: true } | { first: false; note: string | null }> {
    const _id = digest(key);
    if (await insertOnce(this.model, { _id, note: null, exp: expiryMinute(until.getTime()) })) {
      return { first: true };
    }
    const doc = await this.model.findById(_id).lean<OnceDoc>().exec();
    return { first: false, note: doc?.note ?? null };
  }

  /** Only the first claimer writes the note, so this plain update has no competitor. */
  async note(key: string, note: string): Promise<void> {
    await this.model.updateOne({ _id: digest(key) }, { $set: { note } }).exec();
  }
}
