import { type Connection, Schema } from 'mongoose';
import type { Page, Reviews } from '../../domain/ports';
import { type NewReview, type Review, type ReviewReason, reviewId } from '../../domain/review';
import { newestFirstBy } from '../../domain/time';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { OpenReviewMarkers } from './open-reviews';
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

const newestReviewFirst = newestFirstBy<Review>(
  (r) => r.createdAt,
  (r) => r.id,
);

/** Open reviews read by `_id` at once. */
const READ_TOGETHER = 50;

/** `_id` = `<order id>:<reason>`: one review per order and reason, opened by a unique insert. */
export class MongoReviews implements Reviews {
  private readonly model;
  private readonly markers;
  private readonly listed;
  constructor(conn: Connection) {
    this.model = modelOf<ReviewDoc>(conn, 'Review', schema);
    this.markers = new OpenReviewMarkers(conn);
    this.listed = new ReviewList(conn);
  }

  async open(r: NewReview): Promise<void> {
    const id = reviewId(r.orderId, r.reason);
    // Marked before it exists: a crash in between leaves a marker the list skips, never an open review unlisted.
    await this.markers.mark(id);
    // Listed under the stored review's date when it exists (a re-open of a review from before the
    // list would otherwise file it under today, above newer ones, for good).
    const stored = await this.find(id);
    await this.listed.enter(id, stored?.createdAt ?? r.createdAt);
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
    // One per order and reason: opening a resolved one again changes nothing, so its marker goes (read
    // above; a resolution since then unmarks it itself, after its own write).
    if (!opened && (stored ?? (await this.find(id)))?.resolvedAt) await this.markers.unmark(id);
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
   * The marked reviews (only the open ones, so few), each read by `_id`, newest first by their own
   * date; markers of reviews since resolved are deleted, a marker whose review is not stored (yet) skipped.
   */
  private async listOpen(page: Page): Promise<Review[]> {
    await this.markers.enterStored(async () =>
      (await this.model.find({ resolved_at: null }, { _id: 1 }).lean<ReviewDoc[]>().exec()).map((d) => d._id),
    );
    const open: Review[] = [];
    const ids = await this.markers.ids();
    for (let i = 0; i < ids.length; i += READ_TOGETHER)
      for (const review of await Promise.all(ids.slice(i, i + READ_TOGETHER).map((id) => this.find(id)))) {
        if (review?.resolvedAt) await this.markers.unmark(review.id);
        else if (review) open.push(review);
      }
    return open.sort(newestReviewFirst).slice(page.skip, page.skip + page.limit);
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
