import { type Connection, Schema } from 'mongoose';
import type { Shipments } from '../../domain/ports';
import type { ShippingRecord } from '../../domain/shipping';
import { MongoChecks } from './checks';
import { insertOnce, modelOf, schemaOptions } from './connection';

interface ShipmentDoc {
  _id: number;
  order_no: string;
  result: ShippingRecord['result'];
  at: Date;
}

const schema = new Schema<ShipmentDoc>(
  {
    _id: Number,
    order_no: { type: String, required: true },
    result: { type: String, required: true },
    at: { type: Date, required: true },
  },
  schemaOptions('shipments'),
);

const toDomain = (d: ShipmentDoc): ShippingRecord => ({
  orderId: d._id,
  orderNo: d.order_no,
  result: d.result,
  at: d.at,
});

/** Keyed by order id: the `_id` uniqueness is what makes "shipped" happen once per order. */
export class MongoShipments implements Shipments {
  private readonly model;
  constructor(conn: Connection) {
    this.model = modelOf<ShipmentDoc>(conn, 'Shipment', schema);
  }

  async record(r: ShippingRecord) {
    const created = await insertOnce(this.model, {
      _id: r.orderId,
      order_no: r.orderNo,
      result: r.result,
      at: r.at,
    });
    if (created) return { record: r, created: true };
    const winner = await this.find(r.orderId);
    if (!winner) throw new Error(`shipment ${r.orderId} reported duplicate but cannot be read`);
    return { record: winner, created: false };
  }

  async find(orderId: number): Promise<ShippingRecord | null> {
    const doc = await this.model.findById(orderId).lean<ShipmentDoc>().exec();
    return doc ? toDomain(doc) : null;
  }
}

/** Shipping uploads to do, bucketed by minute like the sweeper's checks (same queue shape). */
export const mongoShippingQueue = (conn: Connection) =>
  new MongoChecks(conn, {
    model: 'ShippingTask',
    collections: { queue: 'shipping_tasks', claims: 'shipping_claims', state: 'shipping_state' },
  });
