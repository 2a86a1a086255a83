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
}

const schema = new Schema<MarkerDoc>(
  {
    _id: String,
    state: { type: String, required: true, index: true },
  },
  schemaOptions('open_reviews'),
);

const OPEN = 'open';
/** The state of the one document that says every review stored before the markers has been entered. */
const STORED_ENTERED = 'stored-reviews-entered';

export class OpenReviewMarkers {
  private readonly model;
  private entered = false;

  constructor(conn: Connection) {
    this.model = modelOf<MarkerDoc>(conn, 'OpenReview', schema);
  }

  async mark(id: string): Promise<void> {
    await insertOnce(this.model, { _id: id, state: OPEN });
  }

  async unmark(id: string): Promise<void> {
    await this.model.deleteOne({ _id: id, state: OPEN }).exec();
  }

  async ids(): Promise<string[]> {
    return (await this.model.find({ state: OPEN }, { _id: 1 }).lean<MarkerDoc[]>().exec()).map((d) => d._id);
  }

  /**
   * Reviews stored before the markers have none: on first use, `storedOpen` (one read of every
   * review, as every open list did before) is marked, once per database; remembered once done.
   */
  async enterStored(storedOpen: () => Promise<string[]>): Promise<void> {
    if (this.entered) return;
    if (!(await this.model.exists({ _id: STORED_ENTERED }).exec())) {
      for (const id of await storedOpen()) await this.mark(id);
      await insertOnce(this.model, { _id: STORED_ENTERED, state: STORED_ENTERED });
    }
    this.entered = true;
  }
}
