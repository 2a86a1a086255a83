// Proves the FerretDB test server gives us what the Mongo adapters rely on: unique compound
// indexes that reject duplicates with code 11000, also under concurrent inserts.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import mongoose, { type Connection } from 'mongoose';
import { testMongoUri, uniqueDbName } from './ferret';

let conn: Connection;

beforeAll(async () => {
  conn = await mongoose.createConnection(await testMongoUri(uniqueDbName('support_ferret'))).asPromise();
});

afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});

async function indexedCollection(name: string) {
  const collection = conn.collection(name);
  await collection.createIndex({ user_id: 1, seq: 1 }, { unique: true });
  return collection;
}

describe('test FerretDB', () => {
  it('rejects a duplicate key on a unique compound index with code 11000', async () => {
    const grants = await indexedCollection('grants');
    await grants.insertOne({ user_id: 'u1', seq: 1 });
    await grants.insertOne({ user_id: 'u1', seq: 2 });

    const error = await grants.insertOne({ user_id: 'u1', seq: 1 }).catch((e: unknown) => e);

    const { code, keyPattern, keyValue, message } = error as Record<string, unknown>;
    console.log('FerretDB duplicate-key error:', { code, keyPattern, keyValue, message });
    expect(code).toBe(11000);
    expect(await grants.countDocuments({ user_id: 'u1' })).toBe(2);
  });

  it('lets exactly one of 20 concurrent inserts of the same key succeed', async () => {
    const grants = await indexedCollection('concurrent_grants');

    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => grants.insertOne({ user_id: 'u2', seq: 7, attempt: i })),
    );

    const failures = results.filter((r) => r.status === 'rejected');
    expect(results.length - failures.length).toBe(1);
    expect(failures.map((f) => (f.reason as { code?: number }).code)).toEqual(Array(19).fill(11000));
    expect(await grants.countDocuments({ user_id: 'u2', seq: 7 })).toBe(1);
  });

  it('shares one server between callers', async () => {
    const [a, b] = await Promise.all([testMongoUri('a'), testMongoUri('b')]);
    expect(a.replace(/\/a$/, '')).toBe(b.replace(/\/b$/, ''));
  });

  it('makes database names FerretDB accepts', () => {
    const name = uniqueDbName('Contract: Mongo-Orders (very long prefix indeed, too long)');
    expect(name).toMatch(/^[a-z0-9][a-z0-9_]{0,37}$/);
    expect(uniqueDbName('x')).not.toBe(uniqueDbName('x'));
  });
});
