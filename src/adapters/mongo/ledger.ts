import { type Connection, Schema } from 'mongoose';
import { hourOf } from '../../domain/figures';
import type { EntryType, LedgerEntry, NewLedgerEntry } from '../../domain/ledger';
import type { Ledger, Page } from '../../domain/ports';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { idAllocator } from './counters';

interface EntryDoc {
  _id: number;
  user_id: number;
  seq: number;
  amount: number;
  balance_after: number;
  type: EntryType;
  description: string;
  related_order_id: number | null;
  idempotency_key: string;
  created_at: Date;
  /** hourOf(created_at), for the dashboard; absent on entries stored before it was kept. */
  hour?: number;
}

const schema = new Schema<EntryDoc>(
  {
    _id: Number,
    user_id: { type: Number, required: true },
    seq: { type: Number, required: true },
    amount: { type: Number, required: true },
    balance_after: { type: Number, required: true },
    type: { type: String, required: true },
    description: { type: String, default: '' },
    related_order_id: { type: Number, default: null },
    idempotency_key: { type: String, required: true, unique: true },
    created_at: { type: Date, required: true },
    hour: { type: Number, index: true },
  },
  schemaOptions('ledger'),
);
// The two arbiters of the balance: one entry per (user, seq) and one per idempotency key.
schema.index({ user_id: 1, seq: -1 }, { unique: true });

const toDomain = (d: EntryDoc): LedgerEntry => ({
  id: d._id,
  userId: d.user_id,
  seq: d.seq,
  amount: d.amount,
  balanceAfter: d.balance_after,
  type: d.type,
  description: d.description,
  relatedOrderId: d.related_order_id,
  idempotencyKey: d.idempotency_key,
  createdAt: d.created_at,
});

export class MongoLedger implements Ledger {
  private readonly model;
  private readonly ids;
  constructor(conn: Connection) {
    this.model = modelOf<EntryDoc>(conn, 'LedgerEntry', schema);
    this.ids = idAllocator(conn, 'ledger');
  }

  async head(userId: number): Promise<LedgerEntry | null> {
    const doc = await this.model.findOne({ user_id: userId }).sort({ seq: -1 }).lean<EntryDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  async findByKey(idempotencyKey: string): Promise<LedgerEntry | null> {
    const doc = await this.model.findOne({ idempotency_key: idempotencyKey }).lean<EntryDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  /** One attempt per call: any unique clash is reported, and the domain re-reads and retries. */
  async insert(e: NewLedgerEntry): Promise<LedgerEntry | 'duplicate'> {
    const id = await this.ids.next();
    const created = await insertOnce(this.model, {
      _id: id,
      user_id: e.userId,
      seq: e.seq,
      amount: e.amount,
      balance_after: e.balanceAfter,
      type: e.type,
      description: e.description,
      related_order_id: e.relatedOrderId,
      idempotency_key: e.idempotencyKey,
      created_at: e.createdAt,
      hour: hourOf(e.createdAt),
    });
    if (created) return { ...e, id };
    // Usually a seq or key clash, rarely an id clash; a fresh block costs one round trip either way.
    this.ids.discardBlock();
    return 'duplicate';
  }

  async *scanUser(userId: number): AsyncIterable<LedgerEntry> {
    const cursor = this.model
      .find({ user_id: userId })
      .sort({ seq: 1 })
      .lean<EntryDoc>()
      .batchSize(500)
      .cursor();
    for await (const doc of cursor) yield toDomain(doc as EntryDoc);
  }

  async inHour(hour: number): Promise<LedgerEntry[]> {
    const docs = await this.model.find({ hour }).lean<EntryDoc[]>().exec();
    return docs.map(toDomain);
  }

  async list(userId: number, page: Page): Promise<LedgerEntry[]> {
    const docs = await this.model
      .find({ user_id: userId })
      .sort({ seq: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<EntryDoc[]>()
      .exec();
    return docs.map(toDomain);
  }
}
