import { type Connection, type Model, Schema } from 'mongoose';
import type { Page } from '../../domain/ports';
import { insertOnce, modelOf, schemaOptions } from './connection';

/**
 * Which UTC hours hold records of a long list (orders, alerts, reviews), per kind of list: `all`, and kinds
 * the list is filtered by (`status:<s>`, `amount:<fen>`, `state:<s>`). FerretDB 1.24 sorts in Go and
 * pushes down only equalities, so `find().sort({created_at: -1}).skip().limit()` read and sorted every
 * record: 14.4 s for the console's order list at 100,000 orders. Walking these entries newest first
 * reads one hour of records at a time, by equality on the record's hour field. Entries are
 * insert-only (one per kind and hour, by `_id`), written before the record or state they announce,
 * so a crash leaves at most an entry whose hour has nothing to show — never a record left out.
 */
interface HourDoc {
  _id: string; // `<kind>:<hour>`
  kind_day: string; // `<kind>:<day>`
  hour: number;
}

interface DayDoc {
  _id: string; // `<kind>:<day>`, or a mark (`stored-<records>-entered`, `stored-<records>-first-run`)
  kind: string;
  day: number;
  /** On the first-run mark only: when the first backfill run began. */
  at?: Date;
}

/** The lists that keep a directory: `order` in order_hours/order_days, `alert` in alert_hours/alert_days, … */
export type DirectoryOf = 'order' | 'alert' | 'review';

const capitalized = (s: string) => s[0]!.toUpperCase() + s.slice(1);

function modelsOf(conn: Connection, of: DirectoryOf): { hours: Model<HourDoc>; days: Model<DayDoc> } {
  const hourSchema = new Schema<HourDoc>(
    {
      _id: String,
      kind_day: { type: String, required: true, index: true },
      hour: { type: Number, required: true },
    },
    schemaOptions(`${of}_hours`),
  );
  const daySchema = new Schema<DayDoc>(
    {
      _id: String,
      kind: { type: String, required: true, index: true },
      day: { type: Number, required: true },
      at: Date,
    },
    schemaOptions(`${of}_days`),
  );
  return {
    hours: modelOf<HourDoc>(conn, `${capitalized(of)}Hour`, hourSchema),
    days: modelOf<DayDoc>(conn, `${capitalized(of)}Day`, daySchema),
  };
}

/** Entries this process inserted (or is inserting), so an hour costs its inserts once; cleared when full. */
const REMEMBERED = 10_000;

const dayOf = (hour: number) => Math.floor(hour / 24);

/** How a list reads one hour of its records (newest first) and counts them. */
export interface HourReader<T> {
  inHour(hour: number): Promise<T[]>;
  countInHour(hour: number): Promise<number>;
}

export class HourDirectory {
  private readonly hours;
  private readonly days;
  private readonly noted = new Map<string, Promise<void>>();
  private entered = false;
  /** The day entry that says every record stored before this directory existed has been entered. */
  private readonly storedEntered: string;
  /** The day entry that holds when the first backfill run began. */
  private readonly firstRunMark: string;

  constructor(conn: Connection, of: DirectoryOf) {
    ({ hours: this.hours, days: this.days } = modelsOf(conn, of));
    this.storedEntered = `stored-${of}s-entered`;
    this.firstRunMark = `stored-${of}s-first-run`;
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

  /**
   * A page of a long list, newest hour first: each hour is one equality read, sorted by the reader.
   * Hours wholly before the page are counted, not read.
   */
  async page<T>(
    kind: string,
    page: Page,
    read: HourReader<T>,
    [fromHour, toHour]: readonly [number?, number?] = [],
  ): Promise<T[]> {
    const out: T[] = [];
    let skip = page.skip;
    for await (const hour of this.newestFirst(kind, fromHour, toHour)) {
      if (out.length >= page.limit) break;
      if (skip > 0) {
        const count = await read.countInHour(hour);
        if (count <= skip) {
          skip -= count;
          continue;
        }
      }
      const records = await read.inHour(hour);
      out.push(...records.slice(skip, skip + page.limit - out.length));
      skip = 0;
    }
    return out;
  }

  /**
   * Forgets the hours before `hour` that no longer hold a record (`holds`: the purge got to them),
   * and each day once all its hours are forgotten — hours first, so no hour is left without its day.
   */
  async forgetBefore(hour: number, holds: (hour: number) => Promise<boolean>): Promise<void> {
    const marks = new Set([this.storedEntered, this.firstRunMark]);
    const days = await this.days.find({}, { day: 1 }).lean<DayDoc[]>().exec();
    for (const d of days) {
      if (marks.has(d._id) || d.day * 24 + 23 >= hour) continue;
      let kept = 0;
      for (const h of await this.hours.find({ kind_day: d._id }, { hour: 1 }).lean<HourDoc[]>().exec()) {
        if (h.hour < hour && !(await holds(h.hour))) await this.hours.deleteOne({ _id: h._id }).exec();
        else kept++;
      }
      if (kept === 0) await this.days.deleteOne({ _id: d._id }).exec();
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

  /** Whether the records stored before the directory are all entered (remembered once true). */
  async complete(): Promise<boolean> {
    if (!this.entered) this.entered = (await this.days.exists({ _id: this.storedEntered }).exec()) !== null;
    return this.entered;
  }

  /** When the first backfill run began: `now`, unless an earlier run recorded its own start. */
  async firstRun(now: Date): Promise<Date> {
    await insertOnce(this.days, { _id: this.firstRunMark, kind: this.firstRunMark, day: 0, at: now });
    const doc = await this.days.findById(this.firstRunMark).lean<DayDoc>().exec();
    return doc?.at ?? now;
  }

  async markComplete(): Promise<void> {
    await insertOnce(this.days, { _id: this.storedEntered, kind: this.storedEntered, day: 0 });
    this.entered = true;
  }
}
