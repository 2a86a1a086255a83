import { type Connection, Schema } from 'mongoose';
import { hourOf } from '../../domain/figures';
import type { Page } from '../../domain/ports';
import { newestFirstBy } from '../../domain/time';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { HourDirectory } from './hour-directory';

/**
 * The reviews' "all" view, newest first, read hour by hour: one entry per review (`_id` = the
 * review's id, its `created_hour`), inserted before the review, never updated. FerretDB sorted every
 * review in Go for `find().sort({created_at: -1})` (5–6 s at 100,000). The entries live beside the
 * reviews instead of as a field of theirs because a review is resolved by an update, and FerretDB
 * writes an update as the whole document it read: a backfill writing the hour into old reviews could
 * undo a resolution written meanwhile. Inserts cannot.
 */
interface EntryDoc {
  _id: string;
  created_hour: number;
  created_at: Date;
}

const schema = new Schema<EntryDoc>(
  {
    _id: String,
    created_hour: { type: Number, required: true, index: true },
    created_at: { type: Date, required: true },
  },
  schemaOptions('review_list'),
);

const newestFirst = newestFirstBy<EntryDoc>(
  (e) => e.created_at,
  (e) => e._id,
);

export class ReviewList {
  private readonly model;
  private readonly hours;

  constructor(conn: Connection) {
    this.model = modelOf<EntryDoc>(conn, 'ReviewListEntry', schema);
    this.hours = new HourDirectory(conn, 'review');
  }

  /**
   * Lists the review; safe to repeat (true when this call listed it). Its hour is entered first, so
   * a crash leaves an empty hour at most.
   */
  async enter(id: string, createdAt: Date): Promise<boolean> {
    const hour = hourOf(createdAt);
    await this.hours.note(['all'], hour);
    return insertOnce(this.model, { _id: id, created_hour: hour, created_at: createdAt });
  }

  /** Whether every review stored before the list existed has been entered (else read the old way). */
  complete(): Promise<boolean> {
    return this.hours.complete();
  }

  /** The ids of a page, newest first; an entry whose review a crash kept from being stored reads as nothing. */
  async page(page: Page): Promise<string[]> {
    const entries = await this.hours.page('all', page, {
      inHour: async (hour) =>
        (await this.model.find({ created_hour: hour }).lean<EntryDoc[]>().exec()).sort(newestFirst),
      countInHour: (hour) => this.model.countDocuments({ created_hour: hour }).exec(),
    });
    return entries.map((e) => e._id);
  }

  /**
   * Enters the reviews stored before this list (`stored`: every review), then marks the list complete.
   * One pass: reviews opened meanwhile enter themselves. Safe to repeat or to run on two instances.
   */
  async backfill(
    stop: () => boolean,
    stored: AsyncIterable<{ readonly id: string; readonly createdAt: Date }>,
  ): Promise<{ entered: number; finished: boolean }> {
    let entered = 0;
    if (await this.complete()) return { entered, finished: true };
    for await (const review of stored) {
      if (stop()) return { entered, finished: false };
      if (await this.enter(review.id, review.createdAt)) entered++;
    }
    await this.hours.markComplete();
    return { entered, finished: true };
  }
}
