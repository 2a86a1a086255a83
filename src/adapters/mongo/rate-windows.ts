import { type Connection, Schema } from 'mongoose';
import type { RateWindows } from '../../domain/ports';
import { windowOf } from '../../domain/window';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { digest, expiryMinute, expiryPurger } from './expiry';

interface SlotDoc {
  _id: string;
  exp: number;
}

const schema = new Schema<SlotDoc>(
  { _id: String, exp: { type: Number, required: true, index: true } },
  schemaOptions('rate_windows'),
);

/** Windows this process remembers; past it, ended ones are forgotten (the database still knows). */
const MAX_HINTS = 50_000;

/**
 * Slots `<key digest>:<window size>:<window start>:<n>`, n = 1..limit, each taken by a unique insert:
 * the limit holds across every instance. Each process remembers per window the highest slot it knows
 * to be taken and hands the next number to each caller before awaiting, so its own concurrent callers
 * never collide; it learns of other instances' slots from the duplicates. Once it knows a window is
 * full it refuses without a database round trip (the in-process pre-filter).
 */
export class MongoRateWindows implements RateWindows {
  private readonly model;
  private readonly hints = new Map<string, { taken: number; end: number }>();
  readonly purge;

  constructor(conn: Connection) {
    this.model = modelOf<SlotDoc>(conn, 'RateWindowSlot', schema);
    this.purge = expiryPurger(conn, 'rate_windows', this.model);
  }

  async take(key: string, limit: number, windowSeconds: number, now: Date): Promise<boolean> {
    const { id, hint } = this.window(key, windowSeconds, now);
    while (hint.taken < limit) {
      const n = ++hint.taken;
      if (await insertOnce(this.model, { _id: `${id}:${n}`, exp: expiryMinute(hint.end) })) return true;
    }
    return false;
  }

  /** Slots are taken in order, so the window is full exactly when its last slot exists. */
  async exhausted(key: string, limit: number, windowSeconds: number, now: Date): Promise<boolean> {
    const { id, hint } = this.window(key, windowSeconds, now);
    if (hint.taken >= limit) return true;
    const full = (await this.model.exists({ _id: `${id}:${limit}` }).exec()) !== null;
    if (full) hint.taken = limit;
    return full;
  }

  private window(key: string, windowSeconds: number, now: Date) {
    const { start, end } = windowOf(now, windowSeconds);
    const id = `${digest(key)}:${windowSeconds}:${start / 1000}`;
    let hint = this.hints.get(id);
    if (!hint) {
      if (this.hints.size >= MAX_HINTS) this.forget(now);
      hint = { taken: 0, end };
      this.hints.set(id, hint);
    }
    return { id, hint };
  }

  private forget(now: Date) {
    for (const [id, hint] of this.hints) if (hint.end <= now.getTime()) this.hints.delete(id);
    if (this.hints.size >= MAX_HINTS) this.hints.clear();
  }
}
