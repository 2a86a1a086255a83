import { type Connection, Schema } from 'mongoose';
import { insertOnce, modelOf, schemaOptions } from './connection';

/**
 * Which reviews are open: one marker per open review (`_id` = the review's id), inserted before the
 * review and deleted when it is resolved. FerretDB 1.24 does not push a null equality down, so
 * `find({resolved_at: null})` read every review ever opened (3.8 s at 100,000); the markers are only
 * the open ones, read by one indexed equality. Markers are only inserted and deleted, never updated,
 * so no write can undo a resolution; a marker left behind (a crash, a race with the first listing's
 * entry of older reviews) is seen against its review and deleted by the list.
 */
interface MarkerDoc {
  _id: string;
  /** Always OPEN: the field the list reads by equality (an index, not a scan of the table). */
  state: string;
  /**
   * The review's date, so the list sorts the markers and reads only its page's reviews. Absent on
   * markers written before it was, whose reviews the list reads for it.
   */
  created_at?: Date;
}

const schema = new Schema<MarkerDoc>(
  {
    _id: String,
    state: { type: String, required: true, index: true },
    created_at: { type: Date },
  },
  schemaOptions('open_reviews'),
);

/** An open review as its marker says: its id, and its date when the marker carries it. */
export interface OpenMarker {
  readonly id: string;
  readonly createdAt: Date | null;
}

const OPEN = 'open';
/** The state of the one document that says every review stored before the markers has been entered. */
const STORED_ENTERED = 'stored-reviews-entered';

export class OpenReviewMarkers {
  private readonly model;
  private entered = false;

  constructor(conn: Connection) {
    this.model = modelOf<MarkerDoc>(conn, 'OpenReview', schema);
  }

  async mark(id: string, createdAt: Date | null): Promise<void> {
    await insertOnce(this.model, { _id: id, state: OPEN, ...(createdAt ? { created_at: createdAt } : {}) });
  }

  async unmark(id: string): Promise<void> {
    await this.model.deleteOne({ _id: id, state: OPEN }).exec();
  }

  /** Gives a marker written without a date its review's: later listings need not read the review for it. */
  async date(id: string, createdAt: Date): Promise<void> {
    // No upsert: a marker deleted meanwhile (its review resolved) stays deleted.
    await this.model.updateOne({ _id: id, state: OPEN }, { $set: { created_at: createdAt } }).exec();
  }

  async all(): Promise<OpenMarker[]> {
    const docs = await this.model.find({ state: OPEN }, { _id: 1, created_at: 1 }).lean<MarkerDoc[]>().exec();
    return docs.map((d) => ({ id: d._id, createdAt: d.created_at ?? null }));
  }

  /**
   * Reviews stored before the markers have none: on first use, `storedOpen` (one read of every
   * review, as every open list did before) is marked, once per database; remembered once done.
   */
  async enterStored(storedOpen: () => Promise<OpenMarker[]>): Promise<void> {
    if (this.entered) return;
    if (!(await this.model.exists({ _id: STORED_ENTERED }).exec())) {
      for (const m of await storedOpen()) await this.mark(m.id, m.createdAt);
      await insertOnce(this.model, { _id: STORED_ENTERED, state: STORED_ENTERED });
    }
    this.entered = true;
  }
}
