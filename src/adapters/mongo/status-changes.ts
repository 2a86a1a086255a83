import { type Connection, Schema } from 'mongoose';
import { hourOf } from '../../domain/figures';
import type { OrderStatus } from '../../domain/order';
import type { StatusChanges } from '../../domain/ports';
import type { StatusChange } from '../../domain/status';
import { insertOnce, modelOf, schemaOptions } from './connection';

interface ChangeDoc {
  _id: string;
  order_id: number;
  status: OrderStatus;
  payment_id?: string | null;
  payment_time?: Date | null;
  refund_time?: Date | null;
  at: Date;
  /** hourOf(at), for the dashboard; absent on records stored before it was kept. */
  hour?: number;
}

const schema = new Schema<ChangeDoc>(
  {
    _id: String,
    order_id: { type: Number, required: true, index: true },
    status: { type: String, required: true },
    payment_id: { type: String },
    payment_time: { type: Date },
    refund_time: { type: Date },
    at: { type: Date, required: true },
    hour: { type: Number, index: true },
  },
  schemaOptions('status_changes'),
);

const toDomain = (d: ChangeDoc): StatusChange => ({
  orderId: d.order_id,
  status: d.status,
  ...(d.payment_id !== undefined ? { paymentId: d.payment_id } : {}),
  ...(d.payment_time !== undefined ? { paymentTime: d.payment_time } : {}),
  ...(d.refund_time !== undefined ? { refundTime: d.refund_time } : {}),
  at: d.at,
});

/** `_id` = `<order id>:<status>`: the unique insert records each status once; `order_id` is an equality. */
export class MongoStatusChanges implements StatusChanges {
  private readonly model;
  constructor(conn: Connection) {
    this.model = modelOf<ChangeDoc>(conn, 'StatusChange', schema);
  }

  async record(c: StatusChange): Promise<boolean> {
    return insertOnce(this.model, {
      _id: `${c.orderId}:${c.status}`,
      order_id: c.orderId,
      status: c.status,
      ...(c.paymentId !== undefined ? { payment_id: c.paymentId } : {}),
      ...(c.paymentTime !== undefined ? { payment_time: c.paymentTime } : {}),
      ...(c.refundTime !== undefined ? { refund_time: c.refundTime } : {}),
      at: c.at,
      hour: hourOf(c.at),
    });
  }

  async list(orderId: number): Promise<StatusChange[]> {
    const docs = await this.model.find({ order_id: orderId }).lean<ChangeDoc[]>().exec();
    return docs.map(toDomain);
  }

  async inHour(hour: number): Promise<StatusChange[]> {
    const docs = await this.model.find({ hour }).lean<ChangeDoc[]>().exec();
    return docs.map(toDomain);
  }
}
