import { type Connection, Schema } from 'mongoose';
import type { Clock, Page, Reviews } from '../../domain/ports';
import { type NewReview, type Review, type ReviewReason, reviewId } from '../../domain/review';
import { newestFirstBy } from '../../domain/time';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { type OpenMarker, OpenReviewMarkers } from './open-reviews';
import { ReviewList } from './review-list';

interface ReviewDoc {
  _id: string;
  order_id: number;
  order_no: string;
  reason: ReviewReason;
  detail: string;
  created_at: Date;
  resolved_at: Date | null;
  resolution: string | null;
}

const schema = new Schema<ReviewDoc>(
  {
    _id: String,
    order_id: { type: Number, required: true, index: true },
    order_no: { type: String, required: true },
    reason: { type: String, required: true },
    detail: { type: String, default: '' },
    created_at: { type: Date, required: true },
    resolved_at: { type: Date, default: null },
    resolution: { type: String, default: null },
  },
  schemaOptions('reviews'),
);
schema.index({ resolved_at: 1, created_at: -1 });

const toDomain = (d: ReviewDoc): Review => ({
  id: d._id,
  orderId: d.order_id,
  orderNo: d.order_no,
  reason: d.reason,
  detail: d.detail,
  createdAt: d.created_at,
  resolvedAt: d.resolved_at,
  resolution: d.resolution,
});

type Dated = Pick<Review, 'id' | 'createdAt'>;

const newestReviewFirst = newestFirstBy<Dated>(
  (r) => r.createdAt,
  (r) => r.id,
);

/** Open reviews read by `_id` at once. */
const READ_TOGETHER = 50;

/**
 * How long a marker may wait for its review: `open` inserts the review right after marking it, so a
 * marker this old whose review is not stored belongs to an open that crashed in between.
 */
const ORPHAN_MS = 10 * 60_000;

/** `_id` = `<order id>:<reason>`: one review per order and reason, opened by a unique insert. */
export class MongoReviews implements Reviews {
  private readonly model;
  private readonly markers;
  private readonly listed;
  /** `clock` only tells when a marker without its review is old enough to be an orphan. */
  constructor(
    conn: Connection,
    private readonly clock: Clock,
  ) {
    this.model = modelOf<ReviewDoc>(conn, 'Review', schema);
    this.markers = new OpenReviewMarkers(conn);
    this.listed = new ReviewList(conn);
  }

  async open(r: NewReview): Promise<void> {
    const id = reviewId(r.orderId, r.reason);
    // Listed and marked under the stored review's date when it exists (a re-open of a review from
    // before the list would otherwise file it under today, above newer ones, for good).
    const stored = await this.find(id);
    const createdAt = stored?.createdAt ?? r.createdAt;
    // Marked before it exists: a crash in between leaves a marker the list skips, never an open review unlisted.
    await this.markers.mark(id, createdAt);
    await this.listed.enter(id, createdAt);
    const opened = await insertOnce(this.model, {
      _id: id,
      order_id: r.orderId,
      order_no: r.orderNo,
      reason: r.reason,
      detail: r.detail,
      created_at: r.createdAt,
      resolved_at: null,
      resolution: null,
    });
    // One per order and reason: opening a resolved one again changes nothing, so its marker goes. Read
    // again after the mark: a resolution between the read above and the mark unmarked before it.
    if (!opened && (await this.find(id))?.resolvedAt) await this.markers.unmark(id);
  }

  async list(filter: { readonly openOnly?: boolean }, page: Page): Promise<Review[]> {
    if (filter.openOnly) return this.listOpen(page);
    if (await this.listed.complete()) {
      const reviews = await Promise.all((await this.listed.page(page)).map((id) => this.find(id)));
      return reviews.filter((r): r is Review => r !== null);
    }
    const docs = await this.model
      .find({})
      .sort({ created_at: -1, _id: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<ReviewDoc[]>()
      .exec();
    return docs.map(toDomain);
  }

  /** Enters the reviews stored before the "all" view's list (review-list.ts); until then it reads as before. */
  backfillList(stop: () => boolean): Promise<{ entered: number; finished: boolean }> {
    return this.listed.backfill(stop, this.scan());
  }

  /**
   * The markers, newest first by the date they carry, and then only the page's reviews, each by `_id`:
   * reading every open review took longer than the request deadline once 100,000 were open. A marker
   * whose review has been resolved is deleted, one whose review is not stored skipped (and deleted
   * once older than ORPHAN_MS: its open crashed before the insert), and the page is filled from the
   * markers after it. Such markers before the page are not looked at, so until a listing of their
   * own page deletes them they shift later pages by one each.
   */
  private async listOpen(page: Page): Promise<Review[]> {
    await this.markers.enterStored(async () =>
      (
        await this.model.find({ resolved_at: null }, { _id: 1, created_at: 1 }).lean<ReviewDoc[]>().exec()
      ).map((d) => ({ id: d._id, createdAt: d.created_at })),
    );
    const markers = await this.datedMarkers(await this.markers.all());
    const out: Review[] = [];
    for (let at = page.skip; at < markers.length && out.length < page.limit; ) {
      const batch = markers.slice(at, at + Math.min(READ_TOGETHER, page.limit - out.length));
      at += batch.length;
      for (const review of await this.openOnes(batch)) out.push(review);
    }
    return out;
  }

  /**
   * Every marker with its review's date, newest first. Markers written before they carried the date
   * (the open reviews of an earlier version) get it from their reviews, once: it is written back.
   */
  private async datedMarkers(markers: readonly OpenMarker[]): Promise<Dated[]> {
    const dated: Dated[] = [];
    const undated: OpenMarker[] = [];
    for (const m of markers)
      if (m.createdAt) dated.push({ id: m.id, createdAt: m.createdAt });
      else undated.push(m);
    for (let i = 0; i < undated.length; i += READ_TOGETHER)
      for (const review of await this.openOnes(undated.slice(i, i + READ_TOGETHER))) {
        await this.markers.date(review.id, review.createdAt);
        dated.push(review);
      }
    return dated.sort(newestReviewFirst);
  }

  /**
   * The reviews of `markers` still open, in the order given. Markers of resolved reviews are
   * deleted, and so are dated markers of reviews still not stored ORPHAN_MS after their date.
   */
  private async openOnes(markers: readonly OpenMarker[]): Promise<Review[]> {
    const open: Review[] = [];
    const reviews = await Promise.all(markers.map((m) => this.find(m.id)));
    for (const [i, review] of reviews.entries()) {
      const marker = markers[i] as OpenMarker;
      if (review?.resolvedAt) await this.markers.unmark(review.id);
      else if (review) open.push(review);
      else if (marker.createdAt && this.clock.now().getTime() - marker.createdAt.getTime() > ORPHAN_MS)
        await this.markers.unmark(marker.id);
    }
    return open;
  }

  async find(id: string): Promise<Review | null> {
    const doc = await this.model.findById(id).lean<ReviewDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  /** A human's note on a record no money depends on: a plain update is enough. */
  async resolve(id: string, note: string, at: Date): Promise<Review | null> {
    const res = await this.model
      .updateOne({ _id: id }, { $set: { resolved_at: at, resolution: note } })
      .exec();
    if (res.matchedCount === 0) return null;
    await this.markers.unmark(id);
    return this.find(id);
  }

  async *scan(): AsyncIterable<Review> {
    for await (const doc of this.model.find({}).lean<ReviewDoc>().batchSize(500).cursor())
      yield toDomain(doc as ReviewDoc);
  }
}
