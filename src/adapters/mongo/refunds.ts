import { type Connection, Schema } from 'mongoose';
import type { Refunds } from '../../domain/ports';
import {
  type RefundAttempt,
  type RefundEvent,
  type RefundOutcome,
  type RefundSource,
  type RefundState,
  refundEventId,
} from '../../domain/refund';
import { insertOnce, modelOf, schemaOptions } from './connection';

interface AttemptDoc {
  _id: string;
  order_id: number;
  attempt: number;
  out_refund_no: string;
  refund_fen: number;
  reason: string;
  created_at: Date;
  /** Projection for the follower only; the events decide. */
  state: RefundState;
}

interface EventDoc {
  _id: string;
  out_refund_no: string;
  stage: RefundEvent['stage'];
  outcome: RefundOutcome | null;
  refund_id: string | null;
  detail: string;
  source: RefundSource;
  at: Date;
}

const attemptSchema = new Schema<AttemptDoc>(
  {
    // `<order id>:<attempt>`: the unique _id is what lets each attempt number exist once per order.
    _id: String,
    order_id: { type: Number, required: true, index: true },
    attempt: { type: Number, required: true },
    out_refund_no: { type: String, required: true, unique: true },
    refund_fen: { type: Number, required: true },
    reason: { type: String, default: '' },
    created_at: { type: Date, required: true },
    state: { type: String, required: true },
  },
  schemaOptions('refund_attempts'),
);
attemptSchema.index({ state: 1, created_at: 1 });

const eventSchema = new Schema<EventDoc>(
  {
    // `<out_refund_no>:<stage>`: one processing and one final event per attempt, ever.
    _id: String,
    out_refund_no: { type: String, required: true },
    stage: { type: String, required: true },
    outcome: { type: String, default: null },
    refund_id: { type: String, default: null },
    detail: { type: String, default: '' },
    source: { type: String, required: true },
    at: { type: Date, required: true },
  },
  schemaOptions('refund_events'),
);

const attemptToDomain = (d: AttemptDoc): RefundAttempt => ({
  orderId: d.order_id,
  attempt: d.attempt,
  outRefundNo: d.out_refund_no,
  refundFen: d.refund_fen,
  reason: d.reason,
  createdAt: d.created_at,
});

function eventToDomain(d: EventDoc): RefundEvent {
  const base = { outRefundNo: d.out_refund_no, refundId: d.refund_id, source: d.source, at: d.at };
  if (d.stage === 'processing') return { ...base, stage: 'processing' };
  return { ...base, stage: 'final', outcome: d.outcome as RefundOutcome, detail: d.detail };
}

/** Read only by equality on `_id` or declared indexes (FerretDB pushes nothing else down). */
export class MongoRefunds implements Refunds {
  private readonly attemptModel;
  private readonly eventModel;
  constructor(conn: Connection) {
    this.attemptModel = modelOf<AttemptDoc>(conn, 'RefundAttempt', attemptSchema);
    this.eventModel = modelOf<EventDoc>(conn, 'RefundEvent', eventSchema);
  }

  async claim(a: RefundAttempt): Promise<{ attempt: RefundAttempt; created: boolean }> {
    const id = `${a.orderId}:${a.attempt}`;
    const created = await insertOnce(this.attemptModel, {
      _id: id,
      order_id: a.orderId,
      attempt: a.attempt,
      out_refund_no: a.outRefundNo,
      refund_fen: a.refundFen,
      reason: a.reason,
      created_at: a.createdAt,
      state: 'requested',
    });
    if (created) return { attempt: a, created: true };
    const winner = await this.attemptModel.findById(id).lean<AttemptDoc>().exec();
    // The other unique key: another attempt's refund number (random collision) — never reuse it.
    if (!winner) throw new Error(`refund attempt ${id}: out_refund_no ${a.outRefundNo} is taken`);
    return { attempt: attemptToDomain(winner), created: false };
  }

  async attempts(orderId: number): Promise<RefundAttempt[]> {
    const docs = await this.attemptModel.find({ order_id: orderId }).lean<AttemptDoc[]>().exec();
    return docs.map(attemptToDomain).sort((a, b) => a.attempt - b.attempt);
  }

  async findByOutRefundNo(outRefundNo: string): Promise<RefundAttempt | null> {
    const doc = await this.attemptModel.findOne({ out_refund_no: outRefundNo }).lean<AttemptDoc>().exec();
    return doc ? attemptToDomain(doc) : null;
  }

  async record(e: RefundEvent): Promise<{ event: RefundEvent; created: boolean }> {
    const id = refundEventId(e.outRefundNo, e.stage);
    const created = await insertOnce(this.eventModel, {
      _id: id,
      out_refund_no: e.outRefundNo,
      stage: e.stage,
      outcome: e.stage === 'final' ? e.outcome : null,
      refund_id: e.refundId,
      detail: e.stage === 'final' ? e.detail : '',
      source: e.source,
      at: e.at,
    });
    if (created) return { event: e, created: true };
    const winner = await this.eventModel.findById(id).lean<EventDoc>().exec();
    if (!winner) throw new Error(`refund event ${id} reported duplicate but cannot be read`);
    return { event: eventToDomain(winner), created: false };
  }

  async events(outRefundNo: string): Promise<RefundEvent[]> {
    const docs = await Promise.all(
      (['processing', 'final'] as const).map((stage) =>
        this.eventModel.findById(refundEventId(outRefundNo, stage)).lean<EventDoc>().exec(),
      ),
    );
    return docs.flatMap((d) => (d ? [eventToDomain(d)] : []));
  }

  async project(outRefundNo: string, from: readonly RefundState[], to: RefundState): Promise<void> {
    // One equality update per source state ($in is not pushed down by FerretDB).
    for (const state of from)
      await this.attemptModel
        .updateOne({ out_refund_no: outRefundNo, state }, { $set: { state: to } })
        .exec();
  }

  async listByState(state: RefundState, limit: number): Promise<RefundAttempt[]> {
    const docs = await this.attemptModel
      .find({ state })
      .sort({ created_at: 1 })
      .limit(limit)
      .lean<AttemptDoc[]>()
      .exec();
    return docs.map(attemptToDomain);
  }
}
