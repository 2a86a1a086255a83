import mongoose, { type Connection, Schema } from 'mongoose';
import type { NewOrder, Order, OrderStatus } from '../../domain/order';
import type { OrderFilter, OrderProjection, Orders, Page } from '../../domain/ports';
import { modelOf, schemaOptions } from './connection';
import { idAllocator } from './counters';

interface OrderDoc {
  _id: number;
  order_no: string;
  user_id: number;
  product_id: number;
  amount_fen: number;
  credits: number;
  status: OrderStatus;
  payment_id: string | null;
  payment_time: Date | null;
  refund_time: Date | null;
  remark: string | null;
  product_name: string;
  product_description: string;
  product_image_url: string | null;
  created_at: Date;
  updated_at: Date;
  /** Absent on orders stored before the expiry was kept per order. */
  expires_at?: Date | null;
}

const nullableString = { type: String, default: null };
const nullableDate = { type: Date, default: null };
const schema = new Schema<OrderDoc>(
  {
    _id: Number,
    order_no: { type: String, required: true, unique: true },
    user_id: { type: Number, required: true },
    product_id: { type: Number, required: true },
    amount_fen: { type: Number, required: true },
    credits: { type: Number, required: true },
    status: { type: String, required: true },
    payment_id: nullableString,
    payment_time: nullableDate,
    refund_time: nullableDate,
    remark: nullableString,
    product_name: String,
    product_description: String,
    product_image_url: nullableString,
    created_at: Date,
    updated_at: Date,
    expires_at: nullableDate,
  },
  schemaOptions('orders'),
);
schema.index({ user_id: 1, created_at: -1, _id: -1 });
schema.index({ status: 1, created_at: 1 });
schema.index({ created_at: -1, _id: -1 });
// The console's search by amount (an equality, so FerretDB can serve it from the GIN index).
schema.index({ amount_fen: 1 });

const toDomain = (d: OrderDoc): Order => ({
  id: d._id,
  orderNo: d.order_no,
  userId: d.user_id,
  productId: d.product_id,
  amountFen: d.amount_fen,
  credits: d.credits,
  status: d.status,
  paymentId: d.payment_id,
  paymentTime: d.payment_time,
  refundTime: d.refund_time,
  remark: d.remark,
  productName: d.product_name,
  productDescription: d.product_description,
  productImageUrl: d.product_image_url,
  createdAt: d.created_at,
  updatedAt: d.updated_at,
  expiresAt: d.expires_at ?? null,
});

const toDocument = (o: NewOrder, id: number): OrderDoc => ({
  _id: id,
  order_no: o.orderNo,
  user_id: o.userId,
  product_id: o.productId,
  amount_fen: o.amountFen,
  credits: o.credits,
  status: o.status,
  payment_id: o.paymentId,
  payment_time: o.paymentTime,
  refund_time: o.refundTime,
  remark: o.remark,
  product_name: o.productName,
  product_description: o.productDescription,
  product_image_url: o.productImageUrl,
  created_at: o.createdAt,
  updated_at: o.updatedAt,
  expires_at: o.expiresAt,
});

export class MongoOrders implements Orders {
  private readonly model;
  private readonly ids;
  constructor(conn: Connection) {
    this.model = modelOf<OrderDoc>(conn, 'Order', schema);
    this.ids = idAllocator(conn, 'orders');
  }

  async create(order: NewOrder): Promise<Order> {
    return this.ids.insert(
      async (id) => {
        const doc = toDocument(order, id);
        await this.model.create(doc);
        return toDomain(doc);
      },
      async () => {
        if (await this.findByOrderNo(order.orderNo)) throw new Error(`duplicate order_no ${order.orderNo}`);
        return undefined;
      },
    );
  }

  async findById(id: number): Promise<Order | null> {
    const doc = await this.model.findById(id).lean<OrderDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  async findByOrderNo(orderNo: string): Promise<Order | null> {
    const doc = await this.model.findOne({ order_no: orderNo }).lean<OrderDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  listByUser(userId: number, page: Page): Promise<Order[]> {
    return this.search({ userId }, page);
  }

  /** A driver cursor: documents arrive in batches, never all in memory at once. */
  async *scan(filter: { readonly status?: OrderStatus } = {}): AsyncIterable<Order> {
    const query = filter.status === undefined ? {} : { status: filter.status };
    for await (const doc of this.model.find(query).lean<OrderDoc>().batchSize(500).cursor())
      yield toDomain(doc as OrderDoc);
  }

  async project(id: number, from: readonly OrderStatus[], p: OrderProjection): Promise<void> {
    const set: Partial<OrderDoc> = { status: p.status, updated_at: p.updatedAt };
    if (p.paymentId !== undefined) set.payment_id = p.paymentId;
    if (p.paymentTime !== undefined) set.payment_time = p.paymentTime;
    if (p.refundTime !== undefined) set.refund_time = p.refundTime;
    // Our own operator, marked trusted so sanitizeFilter (which neutralises client-sent `$` keys) keeps it.
    const status = mongoose.trusted({ $in: [...from] });
    await this.model.updateOne({ _id: id, status }, { $set: set }).exec();
  }

  async search(f: OrderFilter, page: Page): Promise<Order[]> {
    const filter: Record<string, unknown> = {};
    if (f.status !== undefined) filter.status = f.status;
    if (f.userId !== undefined) filter.user_id = f.userId;
    if (f.orderNo !== undefined) filter.order_no = f.orderNo;
    if (f.amountFen !== undefined) filter.amount_fen = f.amountFen;
    if (f.createdFrom !== undefined || f.createdTo !== undefined) {
      // Our own range operators: trusted, so sanitizeFilter (which neutralises client `$` keys) keeps them.
      filter.created_at = mongoose.trusted({
        ...(f.createdFrom ? { $gte: f.createdFrom } : {}),
        ...(f.createdTo ? { $lt: f.createdTo } : {}),
      });
    }
    const docs = await this.model
      .find(filter)
      // Ids come from per-process blocks, so across instances only the clock orders them.
      .sort({ created_at: -1, _id: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<OrderDoc[]>()
      .exec();
    return docs.map(toDomain);
  }
}
