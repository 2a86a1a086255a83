import { type Connection, Schema } from 'mongoose';
import type { SessionKeys } from '../../domain/ports';
import { insertOnce, modelOf, schemaOptions } from './connection';

interface SessionKeyDoc {
  /** `<user id>:<n>`: the unique insert gives each version to exactly one login. */
  _id: string;
  user_id: number;
  n: number;
  /** Sealed by the composition root (sealed-session-keys.ts); never the plain key. */
  value: string;
  at: Date;
}

const schema = new Schema<SessionKeyDoc>(
  {
    _id: String,
    user_id: { type: Number, required: true },
    n: { type: Number, required: true },
    value: { type: String, required: true },
    at: { type: Date, required: true },
  },
  schemaOptions('session_keys'),
);
schema.index({ user_id: 1, n: -1 });

const ROUNDS = 20;
/** Versions kept behind the newest (older ones are deleted by id as new ones arrive). */
const KEEP_BEHIND = 1;

/**
 * Insert-only versions instead of an overwrite (FerretDB updates are read → modify → write): a login
 * takes the next free version by a unique insert, retrying on the next number when a concurrent login
 * took it, so the last login to store is the newest version. The reader takes the highest version of
 * the user (an equality on user_id walking the index).
 */
export class MongoSessionKeys implements SessionKeys {
  private readonly model;
  constructor(conn: Connection) {
    this.model = modelOf<SessionKeyDoc>(conn, 'SessionKey', schema);
  }

  private head(userId: number) {
    return this.model.findOne({ user_id: userId }).sort({ n: -1 }).lean<SessionKeyDoc>().exec();
  }

  async save(userId: number, value: string, at: Date): Promise<void> {
    let n = ((await this.head(userId))?.n ?? 0) + 1;
    for (let round = 0; round < ROUNDS; round++, n++) {
      if (await insertOnce(this.model, { _id: `${userId}:${n}`, user_id: userId, n, value, at })) {
        const old = n - 1 - KEEP_BEHIND;
        if (old > 0) await this.model.deleteOne({ _id: `${userId}:${old}` }).exec();
        return;
      }
    }
    throw new Error(`session key of user ${userId}: no version won after ${ROUNDS} rounds`);
  }

  async latest(userId: number): Promise<string | null> {
    return (await this.head(userId))?.value ?? null;
  }
}
