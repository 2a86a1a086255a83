import { type Connection, Schema } from 'mongoose';
import { hourOf } from '../../domain/figures';
import type { EntryType, LedgerEntry, NewLedgerEntry } from '../../domain/ledger';
import type { Ledger, Page } from '../../domain/ports';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { idAllocator } from './counters';
import { lastPresent, probePage } from './last-present';
import { Recent } from './recent';

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

/**
 * Where a user's head was last seen, written at every HINT_EVERY-th entry, so a process that has not
 * seen the user yet starts its search there and not at seq 1. A hint may lag (a lost write only costs
 * a few more probes); it never runs ahead, since it is written after its entry exists.
 */
interface HeadHintDoc {
  _id: number;
  seq: number;
}
const hintSchema = new Schema<HeadHintDoc>(
  { _id: Number, seq: { type: Number, required: true } },
  schemaOptions('ledger_heads'),
);

const HINT_EVERY = 32;
/** Up to this many entries, one query reading them all is cheaper than a probe per entry. */
const SHORT_HISTORY = 64;
/** Heads remembered per process: one small entry per active user. */
const HEADS_KEPT = 10_000;

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

/**
 * FerretDB 1.24 sorts in Go: `findOne({user_id}).sort({seq: -1})` reads and decodes a user's whole
 * history (1.1 s at 10,000 entries), and every balance read, consume and grant needs the head. So the
 * head is found by equality probes on (user_id, seq), which PostgreSQL answers from its indexes, from
 * the last head this process saw (one probe when nothing moved) or else from the stored hint.
 */
export class MongoLedger implements Ledger {
  private readonly model;
  private readonly hints;
  private readonly ids;
  /** userId → the newest entry this process saw (null: none existed). */
  private readonly heads = new Recent<number, LedgerEntry | null>(HEADS_KEPT);
  constructor(conn: Connection) {
    this.model = modelOf<EntryDoc>(conn, 'LedgerEntry', schema);
    this.hints = modelOf<HeadHintDoc>(conn, 'LedgerHeadHint', hintSchema);
    this.ids = idAllocator(conn, 'ledger');
  }

  async head(userId: number): Promise<LedgerEntry | null> {
    const seen = this.heads.get(userId);
    const start = seen !== undefined ? seen : await this.fromHint(userId);
    if (start === undefined) return this.remember(userId, await this.sortedHead(userId));
    const found = await lastPresent({ n: start?.seq ?? 0, value: start }, (seq) => this.at(userId, seq));
    return this.remember(userId, found.value);
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
    if (created) {
      const entry = { ...e, id };
      this.remember(e.userId, entry);
      if (e.seq % HINT_EVERY === 0) await this.writeHint(e.userId, e.seq);
      return entry;
    }
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

  /** Newest first: one query for a short history, else one probe per entry of the page. */
  async list(userId: number, page: Page): Promise<LedgerEntry[]> {
    const seen = this.heads.get(userId);
    // A remembered short history may have grown since; one query still returns all of it.
    const head = seen !== undefined && (seen?.seq ?? 0) <= SHORT_HISTORY ? seen : await this.head(userId);
    if (!head || head.seq <= SHORT_HISTORY) return this.sortedPage(userId, page);
    return probePage(head.seq, page, async (seq) => (seq === head.seq ? head : this.at(userId, seq)));
  }

  private async sortedPage(userId: number, page: Page): Promise<LedgerEntry[]> {
    const docs = await this.model
      .find({ user_id: userId })
      .sort({ seq: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<EntryDoc[]>()
      .exec();
    const entries = docs.map(toDomain);
    // The first page starts at the head: remembered, so a history that grew is noticed here too.
    if (page.skip === 0 && entries[0]) this.remember(userId, entries[0]);
    return entries;
  }

  private async at(userId: number, seq: number): Promise<LedgerEntry | null> {
    const doc = await this.model.findOne({ user_id: userId, seq }).lean<EntryDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  /** The entry at the stored hint; undefined when there is none (or, impossibly, no entry there). */
  private async fromHint(userId: number): Promise<LedgerEntry | undefined> {
    const hint = await this.hints.findById(userId).lean<HeadHintDoc>().exec();
    return (hint && (await this.at(userId, hint.seq))) ?? undefined;
  }

  /** A history with no hint: short, or stored before hints were kept (then the hint is written now). */
  private async sortedHead(userId: number): Promise<LedgerEntry | null> {
    const doc = await this.model.findOne({ user_id: userId }).sort({ seq: -1 }).lean<EntryDoc>().exec();
    if (doc && doc.seq >= HINT_EVERY) await this.writeHint(userId, doc.seq);
    return doc ? toDomain(doc) : null;
  }

  private async writeHint(userId: number, seq: number): Promise<void> {
    try {
      await this.hints.updateOne({ _id: userId }, { $max: { seq } }, { upsert: true }).exec();
    } catch {
      // Only a hint: a failed or raced write (two upserts of one user) costs a later reader a few
      // probes, never a wrong head, and must not fail the entry that is already stored.
    }
  }

  /** Keeps the newest head seen: a slower concurrent read must not put back an older one. */
  private remember(userId: number, head: LedgerEntry | null): LedgerEntry | null {
    const seen = this.heads.get(userId);
    if (seen && (!head || head.seq < seen.seq)) return head;
    return this.heads.set(userId, head);
  }
}
