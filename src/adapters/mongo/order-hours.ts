import { type Connection, Schema } from 'mongoose';
import { insertOnce, modelOf, schemaOptions } from './connection';

/**
 * Which UTC hours hold orders, per kind of list: `all`, `status:<s>` (an order reached status s) and
 * `amount:<fen>`. FerretDB 1.24 sorts in Go and pushes down only equalities, so the console's list
 * (`find().sort({created_at: -1}).skip().limit()`) read and sorted every order: 14.4 s at 100,000.
 * Walking these entries newest first reads one hour of orders at a time, by equality. Entries are
 * insert-only (one per kind and hour, by `_id`), written before the order or status they announce,
 * so a crash leaves at most an entry whose hour has nothing to show — never an order left out.
 */
interface HourDoc {
  _id: string; // `<kind>:<hour>`
  kind_day: string; // `<kind>:<day>`
  hour: number;
}

interface DayDoc {
  _id: string; // `<kind>:<day>`, or STORED_ENTERED / FIRST_RUN
  kind: string;
  day: number;
  /** On FIRST_RUN only: when the first backfill run began. */
  at?: Date;
}

const hourSchema = new Schema<HourDoc>(
  {
    _id: String,
    kind_day: { type: String, required: true, index: true },
    hour: { type: Number, required: true },
  },
  schemaOptions('order_hours'),
);
const daySchema = new Schema<DayDoc>(
  {
    _id: String,
    kind: { type: String, required: true, index: true },
    day: { type: Number, required: true },
    at: Date,
  },
  schemaOptions('order_days'),
);

/** The day entry that says every order stored before this directory existed has been entered. */
const STORED_ENTERED = 'stored-orders-entered';
/** The day entry that holds when the first backfill run began. */
const FIRST_RUN = 'stored-orders-first-run';
/** Entries this process inserted (or is inserting), so an hour costs its inserts once; cleared when full. */
const REMEMBERED = 10_000;

const dayOf = (hour: number) => Math.floor(hour / 24);

export class OrderHours {
  private readonly hours;
  private readonly days;
  private readonly noted = new Map<string, Promise<void>>();
  private entered = false;

  constructor(conn: Connection) {
    this.hours = modelOf<HourDoc>(conn, 'OrderHour', hourSchema);
    this.days = modelOf<DayDoc>(conn, 'OrderDay', daySchema);
  }

  /** Enters `hour` for each kind; safe to repeat, and concurrent writers each insert or are refused. */
  async note(kinds: readonly string[], hour: number): Promise<void> {
    const day = dayOf(hour);
    await Promise.all(
      kinds.flatMap((kind) => [
        this.once(`${kind}:${day}`, () => insertOnce(this.days, { _id: `${kind}:${day}`, kind, day })),
        this.once(`${kind}:h${hour}`, () =>
          insertOnce(this.hours, { _id: `${kind}:${hour}`, kind_day: `${kind}:${day}`, hour }),
        ),
      ]),
    );
  }

  /** Concurrent notes of one entry share its insert (at each new hour, every create in flight notes it). */
  private once(key: string, insert: () => Promise<boolean>): Promise<void> {
    const known = this.noted.get(key);
    if (known) return known;
    if (this.noted.size >= REMEMBERED) this.noted.clear();
    const inserted = insert().then(() => undefined);
    this.noted.set(key, inserted);
    // A failed insert is tried again by the next note.
    inserted.catch(() => this.noted.delete(key));
    return inserted;
  }

  /** The hours of `kind` in [fromHour, toHour], newest first: one read per day, one per day visited. */
  async *newestFirst(kind: string, fromHour = -Infinity, toHour = Infinity): AsyncGenerator<number> {
    const days = (await this.days.find({ kind }, { day: 1 }).lean<DayDoc[]>().exec())
      .map((d) => d.day)
      .sort((a, b) => b - a);
    for (const day of days) {
      if (day * 24 > toHour) continue;
      if (day * 24 + 23 < fromHour) return;
      const hours = (
        await this.hours
          .find({ kind_day: `${kind}:${day}` }, { hour: 1 })
          .lean<HourDoc[]>()
          .exec()
      )
        .map((h) => h.hour)
        .filter((h) => h >= fromHour && h <= toHour)
        .sort((a, b) => b - a);
      yield* hours;
    }
  }

  /** Every entry, for the audit: `hour <kind>:<hour>` and `day <kind>:<day>`. */
  async *entries(): AsyncIterable<string> {
    for await (const doc of this.hours.find({}, { _id: 1 }).lean<HourDoc>().batchSize(1000).cursor())
      yield `hour ${(doc as HourDoc)._id}`;
    for await (const doc of this.days.find({}, { _id: 1 }).lean<DayDoc>().batchSize(1000).cursor())
      yield `day ${(doc as DayDoc)._id}`;
  }

  /** The entries an order of `kinds` created in `hour` needs, as `entries` names them. */
  static needed(kinds: readonly string[], hour: number): string[] {
    return kinds.flatMap((kind) => [`hour ${kind}:${hour}`, `day ${kind}:${dayOf(hour)}`]);
  }

  /** Whether the orders stored before the directory are all entered (remembered once true). */
  async complete(): Promise<boolean> {
    if (!this.entered) this.entered = (await this.days.exists({ _id: STORED_ENTERED }).exec()) !== null;
    return this.entered;
  }

  /** When the first backfill run began: `now`, unless an earlier run recorded its own start. */
  async firstRun(now: Date): Promise<Date> {
    await insertOnce(this.days, { _id: FIRST_RUN, kind: FIRST_RUN, day: 0, at: now });
    const doc = await this.days.findById(FIRST_RUN).lean<DayDoc>().exec();
    return doc?.at ?? now;
  }

  async markComplete(): Promise<void> {
    await insertOnce(this.days, { _id: STORED_ENTERED, kind: STORED_ENTERED, day: 0 });
    this.entered = true;
  }
}
