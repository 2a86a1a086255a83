import { type Connection, Schema } from 'mongoose';
import type { Page, Reviews } from '../../domain/ports';
import { type NewReview, type Review, type ReviewReason, reviewId } from '../../domain/review';
import { insertOnce, modelOf, schemaOptions } from './connection';

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

/** `_id` = `<order id>:<reason>`: one review per order and reason, opened by a unique insert. */
export class MongoReviews implements Reviews {
  private readonly model;
  constructor(conn: Connection) {
    this.model = modelOf<ReviewDoc>(conn, 'Review', schema);
  }

  async open(r: NewReview): Promise<void> {
    await insertOnce(this.model, {
      _id: reviewId(r.orderId, r.reason),
      order_id: r.orderId,
      order_no: r.orderNo,
      reason: r.reason,
      detail: r.detail,
      created_at: r.createdAt,
      resolved_at: null,
      resolution: null,
    });
  }

  async list(filter: { readonly openOnly?: boolean }, page: Page): Promise<Review[]> {
    const docs = await this.model
      .find(filter.openOnly ? { resolved_at: null } : {})
      .sort({ created_at: -1, _id: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<ReviewDoc[]>()
      .exec();
    return docs.map(toDomain);
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
    return res.matchedCount > 0 ? this.find(id) : null;
  }

  async *scan(): AsyncIterable<Review> {
    for await (const doc of this.model.find({}).lean<ReviewDoc>().batchSize(500).cursor())
      yield toDomain(doc as ReviewDoc);
  }
}
