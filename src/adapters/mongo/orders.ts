import mongoose, { type Connection, Schema } from 'mongoose';
import { hourOf } from '../../domain/figures';
import type { NewOrder, Order, OrderStatus } from '../../domain/order';
import type { OrderFilter, OrderProjection, Orders, Page } from '../../domain/ports';
import { newestFirstBy } from '../../domain/time';
import { modelOf, schemaOptions } from './connection';
import { idAllocator } from './counters';
import { HourDirectory } from './hour-directory';
import { probePage } from './last-present';
import { UserNumbers } from './user-numbers';

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
  /**
   * `<user_id>:<k>`: the user's k-th order, numbered densely from 1 so a page of a long history is
   * read by equality probes. Absent on orders stored before orders were numbered (never null: the
   * unique index admits any number of absent values, on FerretDB and, being sparse, on MongoDB).
   */
  user_order?: string;
  /** k of `user_order` as a number, to sort by: a user's numbered orders come newest first by it. */
  user_seq?: number;
  /** On a user's order 1 only, when orders stored before numbering exist: the list then goes on to them. */
  unnumbered_before?: boolean;
  /** hourOf(created_at), read by equality by the console's list; set on older orders by `backfillHours`. */
  created_hour?: number;
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
    user_order: { type: String, unique: true, sparse: true },
    user_seq: Number,
    unnumbered_before: Boolean,
    created_hour: Number,
  },
  schemaOptions('orders'),
);
schema.index({ user_id: 1, created_at: -1, _id: -1 });
schema.index({ status: 1, created_at: 1 });
schema.index({ created_at: -1, _id: -1 });
// The console's search by amount (an equality, so FerretDB can serve it from the GIN index).
schema.index({ amount_fen: 1 });
schema.index({ created_hour: 1 });

function filterOf(f: OrderFilter): Record<string, unknown> {
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
  return filter;
}

/** The first and last hour `f`'s creation range touches (the range itself is in the query too). */
const hoursOf = (f: OrderFilter): [number | undefined, number | undefined] => [
  f.createdFrom ? hourOf(f.createdFrom) : undefined,
  f.createdTo ? hourOf(new Date(f.createdTo.getTime() - 1)) : undefined,
];

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

const userOrder = (userId: number, k: number) => `${userId}:${k}`;

const toDocument = (o: NewOrder, id: number, k: number): OrderDoc => ({
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
  user_order: userOrder(o.userId, k),
  user_seq: k,
  created_hour: hourOf(o.createdAt),
});

// Ids come from per-process blocks, so across instances only the clock orders them by date.
const BY_DATE = { created_at: -1, _id: -1 } as const;
const BY_NUMBER = { user_seq: -1, created_at: -1, _id: -1 } as const;
/** Up to this many numbered orders, one query reading all of the user's orders beats a probe each. */
const SHORT_HISTORY = 64;
/** Concurrent creates of one user each take the next number; each round has one winner. */
const MAX_ROUNDS = 100;
/**
 * Statuses orders end in, so their lists grow without bound: listed hour by hour. `pending` and `paid`
 * hold only the orders in flight, so one query over all of them stays small.
 */
const FINAL: ReadonlySet<OrderStatus> = new Set(['completed', 'cancelled', 'refunded']);
const newestFirst = newestFirstBy<OrderDoc>(
  (d) => d.created_at,
  (d) => d._id,
);
/** The directory kinds an order in `status` is listed under (a later final status adds its own). */
const kindsOf = (amountFen: number, status: OrderStatus) => [
  'all',
  `amount:${amountFen}`,
  ...(FINAL.has(status) ? [`status:${status}`] : []),
];

/**
 * The directory kind that lists what `f` asks for hour by hour, or null where one query is small
 * already: one order number, one user's orders, or a status only orders in flight have.
 */
function hourKind(f: OrderFilter): string | null {
  if (f.orderNo !== undefined || f.userId !== undefined) return null;
  if (f.status !== undefined && !FINAL.has(f.status)) return null;
  if (f.amountFen !== undefined) return `amount:${f.amountFen}`;
  return f.status === undefined ? 'all' : `status:${f.status}`;
}

/**
 * FerretDB 1.24 sorts in Go, so `find({user_id}).sort(…).limit(20)` decodes all of a user's orders
 * (1.55 s at 10,000). Orders are therefore numbered per user (`user_order`, unique): a long history is
 * paged by equality probes, which PostgreSQL answers from its indexes. The number is part of the order
 * insert itself, so no order exists without one and no number without its order.
 */
export class MongoOrders implements Orders {
  private readonly model;
  private readonly ids;
  private readonly numbers;
  private readonly hours;
  constructor(conn: Connection) {
    const model = modelOf<OrderDoc>(conn, 'Order', schema);
    this.model = model;
    this.hours = new HourDirectory(conn, 'order');
    this.ids = idAllocator(conn, 'orders');
    this.numbers = new UserNumbers(
      async (userId, k) => (await model.exists({ user_order: userOrder(userId, k) }).exec()) !== null,
    );
  }

  async create(order: NewOrder): Promise<Order> {
    // Entered before it exists: a crash in between leaves an hour with nothing to list, never an order unlisted.
    await this.hours.note(kindsOf(order.amountFen, order.status), hourOf(order.createdAt));
    return this.numbers.oneAtATime(order.userId, () => this.insertNumbered(order));
  }

  private async insertNumbered(order: NewOrder): Promise<Order> {
    const { userId } = order;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const { k, unnumberedBefore } = await this.nextNumber(userId);
      const created = await this.ids.insert<Order | 'number taken'>(
        async (id) => {
          const doc = toDocument(order, id, k);
          if (unnumberedBefore) doc.unnumbered_before = true;
          await this.model.create(doc);
          return toDomain(doc);
        },
        async () => {
          if (await this.findByOrderNo(order.orderNo)) throw new Error(`duplicate order_no ${order.orderNo}`);
          // FerretDB does not say which unique index refused the insert: the number, or else the id.
          return (await this.numbers.exists(userId, k)) ? 'number taken' : undefined;
        },
      );
      if (created !== 'number taken') {
        this.numbers.note(userId, k);
        return created;
      }
      await this.numbers.last(userId);
    }
    throw new Error(`orders of user ${userId} are too busy`);
  }

  /**
   * The last number this process saw, plus one: usually still free, and a clash says it moved. A user
   * this process never saw numbered is asked for first; one whose orders are all unnumbered (stored before
   * numbering) gets order 1 marked so that listing goes on to them.
   */
  private async nextNumber(userId: number): Promise<{ k: number; unnumberedBefore: boolean }> {
    const seen = this.numbers.remembered(userId);
    // 0 is asked again: whether order 1 must be marked is only known by asking.
    if (seen) return { k: seen + 1, unnumberedBefore: false };
    if ((await this.model.exists({ user_id: userId }).exec()) === null)
      return { k: 1, unnumberedBefore: false };
    const k = (await this.numbers.last(userId)) + 1;
    return { k, unnumberedBefore: k === 1 };
  }

  async findById(id: number): Promise<Order | null> {
    const doc = await this.model.findById(id).lean<OrderDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  async findByOrderNo(orderNo: string): Promise<Order | null> {
    const doc = await this.model.findOne({ order_no: orderNo }).lean<OrderDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  /**
   * Newest first. Up to SHORT_HISTORY numbered orders, one query; beyond, one probe per order of the
   * page. Orders stored before numbering (all older) follow the numbered ones.
   */
  async listByUser(userId: number, page: Page): Promise<Order[]> {
    const seen = this.numbers.remembered(userId);
    const short =
      seen === undefined ? !(await this.numbers.exists(userId, SHORT_HISTORY + 1)) : seen <= SHORT_HISTORY;
    if (short) {
      // The order the probes page in (numbered newest first, then the unnumbered by date), so a page
      // never repeats or skips an order when the next one is read the other way. A missing user_seq
      // sorts below every number, on MongoDB as on FerretDB.
      const docs = await this.find({ user_id: userId }, page, BY_NUMBER);
      // The newest order carries the user's last number: a history that grew elsewhere is noticed.
      const newest = page.skip === 0 ? docs[0]?.user_seq : undefined;
      if (newest) this.numbers.note(userId, newest);
      return docs.map(toDomain);
    }
    const numbered = await this.numbers.last(userId, SHORT_HISTORY + 1);
    const orders = (await probePage(numbered, page, (k) => this.numberedOrder(userId, k))).map(toDomain);
    // How many of the page's places fall on numbers 1..numbered.
    const probed = Math.max(0, Math.min(page.limit, numbered - page.skip));
    if (probed === page.limit) return orders;
    // The page reaches past order 1: what follows is the orders stored before numbering, if any.
    const first = await this.numberedOrder(userId, 1);
    if (!first?.unnumbered_before) return orders;
    const unnumbered = mongoose.trusted({ $exists: false });
    const rest = { skip: Math.max(0, page.skip - numbered), limit: page.limit - probed };
    return [...orders, ...(await this.find({ user_id: userId, user_order: unnumbered }, rest)).map(toDomain)];
  }

  private numberedOrder(userId: number, k: number): Promise<OrderDoc | null> {
    return this.model
      .findOne({ user_order: userOrder(userId, k) })
      .lean<OrderDoc>()
      .exec();
  }

  /**
   * Where this store's bookkeeping of orders is broken. `order_numbers`: users whose numbered orders
   * are not exactly 1..max (an order deleted or written by hand): a long history's pages probe every
   * number, so a missing one shortens a page. `order_list` (once the backfill is done): an order whose
   * `created_hour` is wrong or whose hour is missing from the directory, which the console's list
   * would skip. One pass over all orders; a count per user and the hours per kind are held.
   */
  async *storeFaults(): AsyncIterable<{ check: string; subject: string; message: string }> {
    type Row = Pick<
      OrderDoc,
      '_id' | 'user_id' | 'user_seq' | 'created_at' | 'created_hour' | 'amount_fen' | 'status'
    >;
    const byUser = new Map<number, { count: number; max: number }>();
    const listed = await this.hours.complete();
    const needed = new Map<string, number>(); // a directory entry → an order id needing it
    const fields = { user_id: 1, user_seq: 1, created_at: 1, created_hour: 1, amount_fen: 1, status: 1 };
    for await (const raw of this.model.find({}, fields).lean<Row>().batchSize(1000).cursor()) {
      const doc = raw as Row;
      const hour = hourOf(doc.created_at);
      if (listed && doc.created_hour !== hour)
        yield {
          check: 'order_list',
          subject: `order ${doc._id}`,
          message: `created_hour is ${doc.created_hour ?? 'missing'}, not ${hour}: the console's list skips it`,
        };
      for (const entry of HourDirectory.needed(kindsOf(doc.amount_fen, doc.status), hour))
        needed.set(entry, doc._id);
      if (doc.user_seq === undefined) continue;
      const seen = byUser.get(doc.user_id) ?? { count: 0, max: 0 };
      byUser.set(doc.user_id, { count: seen.count + 1, max: Math.max(seen.max, doc.user_seq) });
    }
    for (const [userId, { count, max }] of byUser)
      if (count !== max)
        yield {
          check: 'order_numbers',
          subject: `user ${userId}`,
          message: `orders are numbered up to ${max}, but ${max - count} of the numbers 1..${max} are missing`,
        };
    if (!listed) return;
    for await (const entry of this.hours.entries()) needed.delete(entry);
    for (const [entry, orderId] of needed)
      yield {
        check: 'order_list',
        subject: `order ${orderId}`,
        message: `the order directory lacks the ${entry}: the console's list skips its orders of that kind`,
      };
  }

  /** A driver cursor: documents arrive in batches, never all in memory at once. */
  async *scan(filter: { readonly status?: OrderStatus } = {}): AsyncIterable<Order> {
    const query = filter.status === undefined ? {} : { status: filter.status };
    for await (const doc of this.model.find(query).lean<OrderDoc>().batchSize(500).cursor())
      yield toDomain(doc as OrderDoc);
  }

  async project(
    id: number,
    from: readonly OrderStatus[],
    p: OrderProjection,
    known?: { readonly createdAt: Date },
  ): Promise<void> {
    const set: Partial<OrderDoc> = {};
    // FerretDB writes an update as the whole document read: while the backfill runs, a projection
    // that read the order before the backfill set created_hour would drop it again, so it sets it too.
    const backfilling = !(await this.hours.complete());
    if (backfilling) {
      const order = await this.model
        .findById(id, { created_at: 1, amount_fen: 1 })
        .lean<Pick<OrderDoc, 'created_at' | 'amount_fen'>>()
        .exec();
      if (!order) return;
      const hour = hourOf(order.created_at);
      // Entered before the write, as the backfill would: with created_hour set, the backfill skips it.
      await this.hours.note(kindsOf(order.amount_fen, p.status), hour);
      set.created_hour = hour;
    } else if (FINAL.has(p.status)) {
      // The status's own list is walked by the hour the order was created in, entered before the status.
      const createdAt = known?.createdAt ?? (await this.createdAt(id));
      if (!createdAt) return;
      await this.hours.note([`status:${p.status}`], hourOf(createdAt));
    }
    set.status = p.status;
    set.updated_at = p.updatedAt;
    if (p.paymentId !== undefined) set.payment_id = p.paymentId;
    if (p.paymentTime !== undefined) set.payment_time = p.paymentTime;
    if (p.refundTime !== undefined) set.refund_time = p.refundTime;
    // Our own operator, marked trusted so sanitizeFilter (which neutralises client-sent `$` keys) keeps it.
    const status = mongoose.trusted({ $in: [...from] });
    await this.model.updateOne({ _id: id, status }, { $set: set }).exec();
  }

  private async createdAt(id: number): Promise<Date | null> {
    const doc = await this.model.findById(id, { created_at: 1 }).lean<Pick<OrderDoc, 'created_at'>>().exec();
    return doc?.created_at ?? null;
  }

  async search(f: OrderFilter, page: Page): Promise<Order[]> {
    const kind = await this.listedByHour(f);
    const docs = kind ? await this.byHour(kind, f, page) : await this.find(filterOf(f), page);
    return docs.map(toDomain);
  }

  /** The directory kind to read `f` by, or null to read it as one query (also until the backfill is done). */
  private async listedByHour(f: OrderFilter): Promise<string | null> {
    const kind = hourKind(f);
    return kind && (await this.hours.complete()) ? kind : null;
  }

  /** The orders matching `filter` created in `hour`, newest first (sorted here: FerretDB would in Go). */
  private async inHour(filter: Record<string, unknown>, hour: number): Promise<OrderDoc[]> {
    const docs = await this.model
      .find({ ...filter, created_hour: hour })
      .lean<OrderDoc[]>()
      .exec();
    return docs.sort(newestFirst);
  }

  /** A page of a long list, newest hour first (hour-directory.ts). Same order as BY_DATE. */
  private byHour(kind: string, f: OrderFilter, page: Page): Promise<OrderDoc[]> {
    const filter = filterOf(f);
    return this.hours.page(
      kind,
      page,
      {
        inHour: (hour) => this.inHour(filter, hour),
        countInHour: (hour) => this.model.countDocuments({ ...filter, created_hour: hour }).exec(),
      },
      hoursOf(f),
    );
  }

  /** Every match, newest first, an hour (or, until the backfill is done, a driver batch) at a time. */
  async *streamSearch(f: OrderFilter): AsyncIterable<Order> {
    const filter = filterOf(f);
    const kind = await this.listedByHour(f);
    if (!kind) {
      for await (const doc of this.model.find(filter).sort(BY_DATE).lean<OrderDoc>().batchSize(500).cursor())
        yield toDomain(doc as OrderDoc);
      return;
    }
    for await (const hour of this.hours.newestFirst(kind, ...hoursOf(f)))
      yield* (await this.inHour(filter, hour)).map(toDomain);
  }

  /**
   * Enters the orders stored before the hour directory (no `created_hour`), pass after pass until one
   * finds none (an instance of the previous version may store more meanwhile), then lets `repair`
   * mend what the passes' rewrites may have overwritten since the first run began (recorded once, so a
   * run that failed or was stopped is mended by the next). A pass after the repair must find nothing
   * (FerretDB writes an update as the whole document, so a stale write can drop `created_hour` again),
   * or the round is repeated; only then is the directory marked complete. Until then the console's
   * list reads as before. Safe to repeat or to run on two instances.
   */
  async backfillHours(
    stop: () => boolean,
    run: { readonly now: Date; readonly repair: (since: Date) => Promise<boolean> },
  ): Promise<{ entered: number; finished: boolean }> {
    let entered = 0;
    if (await this.hours.complete()) return { entered, finished: true };
    const since = await this.hours.firstRun(run.now);
    for (let rewrote = true; rewrote; ) {
      for (let found = -1; found !== 0; ) {
        const pass = await this.enterPass(stop);
        entered += pass.entered;
        if (pass.stopped) return { entered, finished: false };
        found = pass.entered;
      }
      if (!(await run.repair(since))) return { entered, finished: false };
      const check = await this.enterPass(stop);
      entered += check.entered;
      if (check.stopped) return { entered, finished: false };
      rewrote = check.entered > 0;
    }
    await this.hours.markComplete();
    return { entered, finished: true };
  }

  /** One pass over the orders without `created_hour`: how many it entered, and whether it was stopped. */
  private async enterPass(stop: () => boolean): Promise<{ entered: number; stopped: boolean }> {
    let entered = 0;
    const missing = { created_hour: mongoose.trusted({ $exists: false }) };
    const cursor = this.model
      .find(missing, { created_at: 1, amount_fen: 1, status: 1 })
      .lean<Pick<OrderDoc, '_id' | 'created_at' | 'amount_fen' | 'status'>>()
      .batchSize(1000)
      .cursor();
    for await (const raw of cursor) {
      if (stop()) return { entered, stopped: true };
      const doc = raw as Pick<OrderDoc, '_id' | 'created_at' | 'amount_fen' | 'status'>;
      const hour = hourOf(doc.created_at);
      await this.hours.note(kindsOf(doc.amount_fen, doc.status), hour);
      await this.model.updateOne({ _id: doc._id }, { $set: { created_hour: hour } }).exec();
      entered++;
    }
    return { entered, stopped: false };
  }

  private find(filter: Record<string, unknown>, page: Page, sort = BY_DATE): Promise<OrderDoc[]> {
    return this.model.find(filter).sort(sort).skip(page.skip).limit(page.limit).lean<OrderDoc[]>().exec();
  }
}
