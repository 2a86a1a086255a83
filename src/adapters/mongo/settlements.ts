import { type Connection, Schema } from 'mongoose';
import { hourOf } from '../../domain/figures';
import type { Settlements } from '../../domain/ports';
import type { PaymentClaim, Settlement } from '../../domain/settlement';
import { insertOnce, modelOf, schemaOptions } from './connection';

interface SettlementDoc {
  _id: number;
  payment_id: string | null;
  amount_fen: number;
  settled_at: Date;
  source: Settlement['source'];
  /** hourOf(settled_at), for the dashboard; absent on settlements stored before it was kept. */
  settled_hour?: number;
}

const schema = new Schema<SettlementDoc>(
  {
    _id: Number,
    payment_id: { type: String, default: null },
    amount_fen: { type: Number, required: true },
    settled_at: { type: Date, required: true },
    source: { type: String, required: true },
    settled_hour: { type: Number, index: true },
  },
  schemaOptions('settlements'),
);

/** `_id` = the provider's transaction id: the unique index is what lets one payment settle one order. */
interface PaymentClaimDoc {
  _id: string;
  order_id: number;
  claimed_at: Date;
}

const claimSchema = new Schema<PaymentClaimDoc>(
  { _id: String, order_id: { type: Number, required: true }, claimed_at: { type: Date, required: true } },
  schemaOptions('payment_claims'),
);

const claimOf = (d: PaymentClaimDoc): PaymentClaim => ({
  paymentId: d._id,
  orderId: d.order_id,
  claimedAt: d.claimed_at,
});

const toDomain = (d: SettlementDoc): Settlement => ({
  orderId: d._id,
  paymentId: d.payment_id,
  amountFen: d.amount_fen,
  settledAt: d.settled_at,
  source: d.source,
});

/** Keyed by order id: the `_id` uniqueness is what makes "paid" happen once. */
export class MongoSettlements implements Settlements {
  private readonly model;
  private readonly claims;
  constructor(conn: Connection) {
    this.model = modelOf<SettlementDoc>(conn, 'Settlement', schema);
    this.claims = modelOf<PaymentClaimDoc>(conn, 'PaymentClaim', claimSchema);
  }

  async record(s: Settlement): Promise<{ settlement: Settlement; created: boolean }> {
    const created = await insertOnce(this.model, {
      _id: s.orderId,
      payment_id: s.paymentId,
      amount_fen: s.amountFen,
      settled_at: s.settledAt,
      source: s.source,
      settled_hour: hourOf(s.settledAt),
    });
    if (created) return { settlement: s, created: true };
    const winner = await this.find(s.orderId);
    if (!winner) throw new Error(`settlement ${s.orderId} reported duplicate but cannot be read`);
    return { settlement: winner, created: false };
  }

  async find(orderId: number): Promise<Settlement | null> {
    const doc = await this.model.findById(orderId).lean<SettlementDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  async inHour(hour: number): Promise<Settlement[]> {
    const docs = await this.model.find({ settled_hour: hour }).lean<SettlementDoc[]>().exec();
    return docs.map(toDomain);
  }

  async *scan(): AsyncIterable<Settlement> {
    for await (const doc of this.model.find().lean<SettlementDoc>().batchSize(500).cursor())
      yield toDomain(doc as SettlementDoc);
  }

  async claimPayment(claim: PaymentClaim): Promise<PaymentClaim> {
    const doc = { _id: claim.paymentId, order_id: claim.orderId, claimed_at: claim.claimedAt };
    if (await insertOnce(this.claims, doc)) return claim;
    const holder = await this.paymentClaim(claim.paymentId);
    if (!holder) throw new Error(`payment claim ${claim.paymentId} reported duplicate but cannot be read`);
    return holder;
  }

  async paymentClaim(paymentId: string): Promise<PaymentClaim | null> {
    const doc = await this.claims.findById(paymentId).lean<PaymentClaimDoc>().exec();
    return doc ? claimOf(doc) : null;
  }
}
