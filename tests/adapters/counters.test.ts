// Integer ids come from a counter that is only a hint. When ids were taken behind its back (an
// import, a restored backup, a bulk load), a new user must still get an id promptly.
import { afterAll, describe, expect, it } from 'bun:test';
import type { Connection } from 'mongoose';
import { connectMongo, ensureIndexes, mongoRepositories } from '../../src/adapters/mongo';
import { testMongoUri, uniqueDbName } from '../support/ferret';

let conn: Connection;
afterAll(() => conn?.close());

describe('id allocation over ids taken behind the counter', () => {
  it('skips a run of 5,000 taken ids in a handful of collisions', async () => {
    conn = await connectMongo(await testMongoUri(uniqueDbName('counters')));
    const repos = mongoRepositories(conn);
    await ensureIndexes(conn);
    const now = new Date('2026-01-01T00:00:00Z');
    const taken = Array.from({ length: 5000 }, (_, i) => ({
      _id: i + 1,
      openid: `imported_${i + 1}`,
      nickname: null,
      avatar_url: null,
      role: 'user',
      is_active: true,
      created_at: now,
      updated_at: now,
    }));
    await conn.collection('users').insertMany(taken as never[]);
    let inserts = 0;
    conn.getClient().on('commandStarted', (e) => {
      if (e.commandName === 'insert') inserts++;
    });
    const { user, created } = await repos.users.ensure('after_import', now);
    expect(created).toBe(true);
    expect(user.id).toBeGreaterThan(5000);
    // 5,000 / 20 per block would be 250 collisions (and a failure after 50); doubling needs ~9.
    expect(inserts).toBeLessThanOrEqual(12);
    const again = await repos.users.ensure('after_import_2', now);
    expect(again.user.id).toBeGreaterThan(user.id);
  });
});
