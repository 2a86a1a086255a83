// Background data for the scale benchmark: other users with an order, its settlement, the claim of
// its transaction, its status record and its purchase entry each, so every collection that grows with the shop holds N documents.
//
// Inserting a million documents per collection through the wire protocol takes hours on this
// machine, so the rows are written by PostgreSQL itself: one real document per collection is made
// through our own Mongo adapters (so it has exactly the shape the adapters read back), its stored
// JSONB is read from FerretDB's table, and `generate_series` clones it with the fields that must
// differ replaced. The catalog is left alone: a shop sells a handful of packages, not a million.
import { SQL } from 'bun';
import type { Connection } from 'mongoose';
import { mongoRepositories } from '../src/adapters/mongo';
import { HourDirectory } from '../src/adapters/mongo/hour-directory';
import { PAYMENT_CLAIMS_BACKFILL } from '../src/domain/usecases/backfill';

interface Clone {
  collection: string;
  /** field → SQL expression of the row number `i` (same JSON type as in the template). */
  fields: Record<string, string>;
  template?: Record<string, unknown>;
}

/**
 * The hour fields the console dashboard reads by equality are spread over the 30 days before `nowHour`
 * (one hour per row number modulo 720), so a day's buckets hold what a shop of that size would.
 */
const clones = (nowHour: number): Clone[] => {
  const hour = `${nowHour} - (i % 720)`;
  // Dates are stored as epoch milliseconds: a time inside that hour, consistent with the hour field.
  const at = `(${hour})::bigint * 3600000 + (i::bigint * 7919) % 3600000`;
  return [
    { collection: 'users', fields: { _id: 'i', openid: `'bench_bg_' || i` } },
    {
      collection: 'orders',
      fields: {
        _id: 'i',
        order_no: `'B' || lpad(i::text, 12, '0')`,
        user_id: 'i',
        user_order: `i || ':1'`,
        created_at: at,
        created_hour: hour,
      },
    },
    {
      collection: 'settlements',
      fields: { _id: 'i', payment_id: `'T' || lpad(i::text, 12, '0')`, settled_hour: hour, settled_at: at },
    },
    { collection: 'payment_claims', fields: { _id: `'T' || lpad(i::text, 12, '0')`, order_id: 'i' } },
    { collection: 'status_changes', fields: { _id: `i || ':completed'`, order_id: 'i', hour, at } },
    {
      collection: 'ledger',
      fields: {
        _id: 'i',
        user_id: 'i',
        related_order_id: 'i',
        idempotency_key: `'purchase:' || i`,
        hour,
        created_at: at,
      },
    },
  ];
};
/** Counters of the id allocators: moved past the cloned ids so the API allocates above them. */
const COUNTERS = ['users', 'orders', 'ledger'];

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

export class Dataset {
  private loaded = 0;
  private tables = new Map<string, string>();
  private constructor(
    private readonly sql: SQL,
    private readonly schema: string,
    private readonly clones: Clone[],
  ) {}

  /**
   * Makes the templates through the adapters on `conn`, then removes them; background ids run from
   * 1 to `maxSize`, and the id counters are moved past it so the API allocates above them.
   */
  static async create(
    conn: Connection,
    postgresUrl: string,
    maxSize: number,
    nowHour = Math.floor(Date.now() / 3_600_000),
  ): Promise<Dataset> {
    const schema = conn.db!.databaseName;
    const repos = mongoRepositories(conn);
    const now = new Date('2026-01-01T00:00:00Z');
    const { user } = await repos.users.ensure('bench_template', now);
    const order = await repos.orders.create({
      orderNo: 'B000000000000',
      userId: user.id,
      productId: 1,
      amountFen: 990,
      credits: 100,
      status: 'completed',
      paymentId: 'T000000000000',
      paymentTime: now,
      refundTime: null,
      remark: null,
      productName: '100积分套餐',
      productDescription: '购买100积分',
      productImageUrl: null,
      createdAt: now,
      updatedAt: now,
      expiresAt: now,
    });
    await repos.settlements.record({
      orderId: order.id,
      paymentId: 'T000000000000',
      amountFen: 990,
      settledAt: now,
      source: 'callback',
    });
    await repos.ledger.insert({
      userId: user.id,
      seq: 1,
      amount: 100,
      balanceAfter: 100,
      type: 'purchase',
      description: '购买100积分',
      relatedOrderId: order.id,
      idempotencyKey: `purchase:${order.id}`,
      createdAt: now,
    });
    await repos.statusChanges.record({ orderId: order.id, status: 'completed', at: now });
    await repos.settlements.claimPayment({ paymentId: 'T000000000000', orderId: order.id, claimedAt: now });
    // A store of this size has long finished the claims backfill; it is not what is measured.
    await repos.checks.claimOnce(PAYMENT_CLAIMS_BACKFILL);
    // Nor the order list's: its directory holds the hours the cloned (completed, ¥9.90) orders fill.
    const hours = new HourDirectory(conn, 'order');
    for (let h = nowHour - 719; h <= nowHour; h++)
      await hours.note(['all', 'amount:990', 'status:completed'], h);
    await hours.markComplete();
    const data = new Dataset(new SQL(postgresUrl, { max: 1 }), schema, clones(nowHour));
    for (const clone of data.clones) {
      const table = await data.table(clone.collection);
      const rows = await data.sql.unsafe(`SELECT _jsonb FROM ${ident(schema)}.${ident(table)}`);
      if (rows.length !== 1)
        throw new Error(`${clone.collection}: expected 1 template row, found ${rows.length}`);
      clone.template = rows[0]._jsonb;
      await data.sql.unsafe(`DELETE FROM ${ident(schema)}.${ident(table)}`);
    }
    const counters = await data.table('counters');
    for (const name of COUNTERS) {
      await data.sql.unsafe(
        `UPDATE ${ident(schema)}.${ident(counters)} SET _jsonb = jsonb_set(_jsonb, '{seq}', to_jsonb($1::int)) WHERE _jsonb->'_id' @> to_jsonb($2::text)`,
        [maxSize, name],
      );
    }
    return data;
  }

  /** FerretDB's table for `collection`, resolved through its metadata. */
  async table(collection: string): Promise<string> {
    const known = this.tables.get(collection);
    if (known) return known;
    const rows = await this.sql.unsafe(
      `SELECT _jsonb->>'table' AS t FROM ${ident(this.schema)}."_ferretdb_database_metadata" WHERE _jsonb->>'_id' = $1`,
      [collection],
    );
    const table = rows[0]?.t as string | undefined;
    if (!table) throw new Error(`no FerretDB table for ${collection}`);
    this.tables.set(collection, table);
    return table;
  }

  /** Runs a statement of the bench's own on `collection`'s table, named `$table` in `text`. */
  async onTable(collection: string, text: string): Promise<void> {
    const table = `${ident(this.schema)}.${ident(await this.table(collection))}`;
    await this.sql.unsafe(text.replaceAll('$table', table));
  }

  get size(): number {
    return this.loaded;
  }

  /** Grows every collection to `target` documents; returns the seconds it took. */
  async growTo(target: number): Promise<number> {
    const started = performance.now();
    const from = this.loaded + 1;
    for (const clone of this.clones) {
      const table = await this.table(clone.collection);
      let expr = '$1::jsonb';
      for (const [field, value] of Object.entries(clone.fields))
        expr = `jsonb_set(${expr}, '{${field}}', to_jsonb(${value}))`;
      // Batches keep each statement's memory bounded and show progress on a long load.
      for (let lo = from; lo <= target; lo += 100_000) {
        const hi = Math.min(target, lo + 99_999);
        await this.sql.unsafe(
          `INSERT INTO ${ident(this.schema)}.${ident(table)} (_jsonb) SELECT ${expr} FROM generate_series(${lo}, ${hi}) AS i`,
          [clone.template],
        );
      }
      await this.sql.unsafe(`ANALYZE ${ident(this.schema)}.${ident(table)}`);
    }
    this.loaded = target;
    return (performance.now() - started) / 1000;
  }

  close(): Promise<void> {
    return this.sql.close();
  }
}
