import { createHash } from 'node:crypto';
import mongoose, { type Connection, type Model, Schema } from 'mongoose';
import { deleteMatching, isDuplicateKey, modelOf, schemaOptions } from './connection';

/**
 * Records that expire (rate windows, once-keys, daily tallies) carry `exp`: the first whole minute
 * after they expire, in minutes since the epoch. FerretDB has no TTL indexes, so housekeeping deletes
 * them minute by minute with an equality on `exp` — the one filter it serves from an index.
 */
export const expiryMinute = (expiresAtMs: number): number => Math.floor(expiresAtMs / 60_000) + 1;

/** Keys are stored as a digest: login codes, IPs and session ids never reach the database as such. */
export const digest = (key: string): string =>
  createHash('sha256').update(key).digest('base64url').slice(0, 22);

interface CursorDoc {
  _id: string;
  minute: number;
}
const cursorSchema = new Schema<CursorDoc>({ _id: String, minute: Number }, schemaOptions('housekeeping'));

/** Minutes left alone behind the present, for instances whose clocks run a little behind. */
const GRACE_MINUTES = 2;
/** Minutes deleted per pass: after a long outage the backlog is worked off over several passes. */
const MINUTES_PER_PASS = 240;

/**
 * Deletes the expired records of `model` minute by minute, from where the last pass (of any
 * instance) stopped: the cursor is a shared hint only — deleting a minute twice is harmless.
 */
export function expiryPurger<T extends { exp: number }>(conn: Connection, name: string, model: Model<T>) {
  const Cursor = modelOf<CursorDoc>(conn, 'HousekeepingCursor', cursorSchema);
  return async (now: Date): Promise<void> => {
    const last = Math.floor(now.getTime() / 60_000) - GRACE_MINUTES;
    const saved = await Cursor.findById(name).lean<CursorDoc>().exec();
    let to = last;
    if (saved) {
      to = Math.min(last, saved.minute + MINUTES_PER_PASS);
      for (let minute = saved.minute; minute <= to; minute++) await deleteMatching(model, { exp: minute });
    } else {
      // The first pass ever (or the cursor was lost): one range delete, which reads the whole table —
      // acceptable once, in the background; every later pass is an equality per minute.
      await deleteMatching(model, { exp: mongoose.trusted({ $lte: last }) });
    }
    try {
      await Cursor.updateOne({ _id: name }, { $set: { minute: to + 1 } }, { upsert: true }).exec();
    } catch (e) {
      // Two first passes creating the cursor at once: either value will do.
      if (!isDuplicateKey(e)) throw e;
    }
  };
}
