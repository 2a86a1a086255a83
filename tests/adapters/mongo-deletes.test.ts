import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { SQL } from 'bun';
import type { Connection } from 'mongoose';
import { connectMongo, ensureIndexes, mongoRepositories } from '../../src/adapters/mongo';
import { DELETE_BATCH, deleteMatching } from '../../src/adapters/mongo/connection';
import { testMongoUri, testPostgresUrl, uniqueDbName } from '../support/ferret';

/** More than PostgreSQL's 65,535 bind parameters: one statement could not delete them all. */
const MANY = 66_000;
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Background deletes of a store far bigger than any test builds by hand. FerretDB deletes what a
 * filter matched in one statement binding every matched `_id`, so before batching, a minute holding
 * more than 65,535 expired records (or sweeper claims) failed to delete on every pass, for good.
 */
describe('deletes matching more than one SQL statement can bind (FerretDB unless TEST_MONGODB_URI)', () => {
  let conn: Connection;
  let repos: ReturnType<typeof mongoRepositories>;
  let dbName: string;
  beforeAll(async () => {
    dbName = uniqueDbName('deletes');
    conn = await connectMongo(await testMongoUri(dbName));
    repos = mongoRepositories(conn);
    await ensureIndexes(conn);
  });
  afterAll(() => conn.close());

  /**
   * `MANY` copies of the collection's one document, `_id` made unique (`<id>-<n>`): on FerretDB
   * written by PostgreSQL itself (66,000 inserts through the wire protocol would take minutes).
   */
  async function copies(collection: string): Promise<void> {
    const postgres = await testPostgresUrl();
    const coll = conn.db!.collection<{ _id: string }>(collection);
    const [template] = await coll.find({}).toArray();
    if (!template) throw new Error(`${collection}: no template document`);
    if (!postgres) {
      const docs = Array.from({ length: MANY - 1 }, (_, n) => ({ ...template, _id: `${template._id}-${n}` }));
      await coll.insertMany(docs, { ordered: false });
      return;
    }
    const sql = new SQL(postgres, { max: 1 });
    try {
      const [row] = await sql.unsafe(
        `SELECT _jsonb->>'table' AS t FROM ${quote(dbName)}."_ferretdb_database_metadata" WHERE _jsonb->>'_id' = $1`,
        [collection],
      );
      const table = `${quote(dbName)}.${quote(row.t)}`;
      await sql.unsafe(
        `INSERT INTO ${table} (_jsonb) SELECT jsonb_set(_jsonb, '{_id}', to_jsonb((_jsonb->>'_id') || '-' || n)) FROM ${table}, generate_series(1, ${MANY - 1}) AS n`,
      );
    } finally {
      await sql.close();
    }
    expect(await coll.countDocuments({})).toBe(MANY);
  }

  it('housekeeping deletes an expired minute holding more records than one statement can bind', async () => {
    expect(MANY).toBeGreaterThan(65_535);
    expect(DELETE_BATCH).toBeLessThan(65_535);
    // A first pass sets the cursor; the next goes minute by minute from it, as every pass does.
    await repos.onceKeys.purge(new Date('2026-01-01T00:00:00Z'));
    // A minute in which more logins than that were made (each code is kept until it expires).
    await repos.onceKeys.claim('code', new Date('2026-01-01T00:00:30Z'));
    await copies('once_keys');
    await repos.onceKeys.purge(new Date('2026-01-01T01:00:00Z'));
    expect(await conn.db!.collection('once_keys').countDocuments({})).toBe(0);
  }, 120_000);

  it('deletes in batches exactly what the filter matches', async () => {
    for (let n = 0; n < 10; n++) await repos.checks.claim({ orderNo: `P${n}`, dueMinute: 1, attempt: 1 }, 7);
    for (let n = 0; n < 2; n++) await repos.checks.claim({ orderNo: `Q${n}`, dueMinute: 1, attempt: 1 }, 8);
    const claims = conn.models.CheckClaim!;
    expect(await deleteMatching(claims, { run_minute: 7 }, 3)).toBe(10);
    expect(await deleteMatching(claims, { run_minute: 7 }, 3)).toBe(0);
    const left = await conn.db!.collection('check_claims').find({}).toArray();
    expect(left.map((d) => d.run_minute)).toEqual([8, 8]);
  });
});
