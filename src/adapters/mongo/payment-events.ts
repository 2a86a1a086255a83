import mongoose, { type Connection, type QueryFilter, Schema } from 'mongoose';
import {
  newestFirst,
  olderThan,
  type PaymentEventAction,
  type PaymentEventPage,
  type PaymentEventRecord,
  type PaymentEventType,
} from '../../domain/payment-events';
import type { PaymentEvents } from '../../domain/ports';
import { isDuplicateKey, modelOf, schemaOptions } from './connection';
import { expiryMinute, expiryPurger } from './expiry';

interface EventDoc {
  _id: string;
  /** The order number, or `unmatched:<day>` for events that concern no known order. */
  order_key: string;
  order_no: string | null;
  day: string;
  at: Date;
  type: PaymentEventType;
  action: PaymentEventAction;
  outcome: string;
  message: string | null;
  summary: string;
  duration_ms: number | null;
  /** Kept as text: a received body's keys never become field names of ours. */
  detail: string;
  exp: number;
}

const schema = new Schema<EventDoc>(
  {
    _id: String,
    order_key: { type: String, required: true },
    order_no: { type: String, default: null },
    day: { type: String, required: true },
    at: { type: Date, required: true },
    type: { type: String, required: true },
    action: { type: String, required: true },
    outcome: { type: String, required: true },
    message: { type: String, default: null },
    summary: { type: String, default: '' },
    duration_ms: { type: Number, default: null },
    detail: { type: String, default: '{}' },
    exp: { type: Number, required: true, index: true },
  },
  schemaOptions('payment_events'),
);
// Every read is an equality on order_key (FerretDB serves it from a GIN index), newest first.
schema.index({ order_key: 1, at: -1, _id: -1 });

const unmatchedKey = (day: string) => `unmatched:${day}`;

const toDomain = (d: EventDoc): PaymentEventRecord => ({
  id: d._id,
  orderNo: d.order_no,
  day: d.day,
  at: d.at,
  type: d.type,
  action: d.action,
  outcome: d.outcome,
  message: d.message,
  summary: d.summary,
  durationMs: d.duration_ms,
  detail: JSON.parse(d.detail) as Record<string, unknown>,
  // Stored as its purge minute; the exact instant is not kept.
  expiresAt: new Date((d.exp - 1) * 60_000),
});

/** Collection `payment_events`: insert-only, `_id` = the record's id; expires by `exp` minute. */
export class MongoPaymentEvents implements PaymentEvents {
  private readonly model;
  readonly purge;

  constructor(conn: Connection) {
    this.model = modelOf<EventDoc>(conn, 'PaymentEvent', schema);
    this.purge = expiryPurger(conn, 'payment_events', this.model);
  }

  async record(e: PaymentEventRecord): Promise<void> {
    try {
      await this.model.create({
        _id: e.id,
        order_key: e.orderNo ?? unmatchedKey(e.day),
        order_no: e.orderNo,
        day: e.day,
        at: e.at,
        type: e.type,
        action: e.action,
        outcome: e.outcome,
        message: e.message,
        summary: e.summary,
        duration_ms: e.durationMs,
        detail: JSON.stringify(e.detail),
        exp: expiryMinute(e.expiresAt.getTime()),
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  listByOrder(orderNo: string, page: PaymentEventPage): Promise<PaymentEventRecord[]> {
    return this.list(orderNo, page);
  }

  listUnmatched(day: string, page: PaymentEventPage): Promise<PaymentEventRecord[]> {
    return this.list(unmatchedKey(day), page);
  }

  /**
   * The equality on order_key selects the rows (index-served). After a cursor: the rows of the
   * cursor's own millisecond (an equality too) with a smaller id, then the older ones — so ties at the
   * boundary are neither lost nor repeated.
   */
  private async list(key: string, page: PaymentEventPage): Promise<PaymentEventRecord[]> {
    const before = page.before;
    const find = (filter: object, limit: number) =>
      this.model
        .find(filter as QueryFilter<EventDoc>)
        .sort({ at: -1, _id: -1 })
        .limit(limit)
        .lean<EventDoc[]>()
        .exec();
    if (!before) return (await find({ order_key: key }, page.limit)).map(toDomain);
    const [tied, older] = await Promise.all([
      // One millisecond of one order: a handful at most; the cap only guards against a broken clock.
      find({ order_key: key, at: before.at }, 1000),
      find({ order_key: key, at: mongoose.trusted({ $lt: before.at }) }, page.limit),
    ]);
    return [...tied, ...older]
      .map(toDomain)
      .filter((e) => olderThan(e, before))
      .sort(newestFirst)
      .slice(0, page.limit);
  }
}
