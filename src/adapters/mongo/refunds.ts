import { type Connection, Schema } from 'mongoose';
import type { Refunds } from '../../domain/ports';
import type { Refund } from '../../domain/refund';
import { insertOnce, modelOf, schemaOptions } from './connection';

interface RefundDoc {
  _id: number;
  out_refund_no: string;
  refund_fen: number;
  reason: string;
  created_at: Date;
}

const schema = new Schema<RefundDoc>(
  {
    _id: Number,
    out_refund_no: { type: String, required: true, unique: true },
    refund_fen: { type: Number, required: true },
    reason: { type: String, default: '' },
    created_at: { type: Date, required: true },
  },
  schemaOptions('refunds'),
);

const toDomain = (d: RefundDoc): Refund => ({
  orderId: d._id,
  outRefundNo: d.out_refund_no,
  refundFen: d.refund_fen,
  reason: d.reason,
  createdAt: d.created_at,
});

/** Keyed by order id: the `_id` uniqueness is what makes "this order is being refunded" happen once. */
export class MongoRefunds implements Refunds {
  private readonly model;
  constructor(conn: Connection) {
    this.model = modelOf<RefundDoc>(conn, 'Refund', schema);
  }

  async record(r: Refund): Promise<{ refund: Refund; created: boolean }> {
    const created = await insertOnce(this.model, {
      _id: r.orderId,
      out_refund_no: r.outRefundNo,
      refund_fen: r.refundFen,
      reason: r.reason,
      created_at: r.createdAt,
    });
    if (created) return { refund: r, created: true };
    const winner = await this.find(r.orderId);
    // The other unique key: another order's refund number (random collision) — never reuse it.
    if (!winner) throw new Error(`refund ${r.orderId}: out_refund_no ${r.outRefundNo} is taken`);
    return { refund: winner, created: false };
  }

  async find(orderId: number): Promise<Refund | null> {
    const doc = await this.model.findById(orderId).lean<RefundDoc>().exec();
    return doc ? toDomain(doc) : null;
  }
}
