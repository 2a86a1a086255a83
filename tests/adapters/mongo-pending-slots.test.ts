import { describe, expect, it } from 'bun:test';
import { MongoPendingSlots } from '../../src/adapters/mongo/pending-slots';
import { T0 } from '../support/builders';
import { processesOverOneDatabase } from '../support/processes';

/**
 * Releases are numbered per user so a claim finds their count by probing instead of counting. What
 * only several processes over one real store can show: a process that never saw the user counts
 * right, a release repeated by two processes is numbered once, and releases stored before numbering
 * (`pending_releases`, `_id` = order number) still count, once.
 */
describe('Mongo pending-order slots across processes (FerretDB unless TEST_MONGODB_URI)', () => {
  const store = processesOverOneDatabase('pending_slots', (conn) => new MongoPendingSlots(conn));
  const aProcess = store.open;
  const db = store.db;
  const releaseNumbers = async (userId: number) =>
    (await db().collection('pending_release_numbers').find({ user_id: userId }).toArray())
      .map((r) => r._id as unknown as string)
      .sort();

  it('holds at most the limit, whichever process released the earlier orders', async () => {
    const [a, b] = [await aProcess(), await aProcess()];
    for (let i = 1; i <= 6; i++) {
      expect(await a.claim(1, `o1-${i}`, 2, T0)).toBe(true);
      await a.release(`o1-${i}`, T0);
    }
    expect(await releaseNumbers(1)).toEqual(['1:1', '1:2', '1:3', '1:4', '1:5', '1:6']);
    // b has seen nothing of user 1: it must find the six releases to grant two more slots, no third.
    expect(await b.claim(1, 'o1-7', 2, T0)).toBe(true);
    expect(await b.claim(1, 'o1-8', 2, T0)).toBe(true);
    expect(await b.claim(1, 'o1-9', 2, T0)).toBe(false);
    await a.release('o1-7', T0); // a remembers 6 releases and must number this one 7
    expect(await b.claim(1, 'o1-9', 2, T0)).toBe(true);
    expect(await a.claim(1, 'o1-10', 2, T0)).toBe(false);
    expect((await b.held(1)).map((h) => h.orderNo).sort()).toEqual(['o1-8', 'o1-9']);
  });

  it('numbers a release once when two processes give it back at the same time', async () => {
    const [a, b] = [await aProcess(), await aProcess()];
    expect(await a.claim(2, 'o2-1', 1, T0)).toBe(true);
    await Promise.all([a.release('o2-1', T0), b.release('o2-1', T0), a.release('o2-1', T0)]);
    expect(await releaseNumbers(2)).toEqual(['2:1']);
    expect(await b.claim(2, 'o2-1', 1, T0)).toBe(false); // a released order never holds a slot again
    expect(await b.claim(2, 'o2-2', 1, T0)).toBe(true);
  });

  it('numbers releases of different orders given back by two processes at once densely', async () => {
    const [a, b] = [await aProcess(), await aProcess()];
    for (let i = 1; i <= 6; i++) expect(await a.claim(4, `o4-${i}`, 6, T0)).toBe(true);
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).release(`o4-${i + 1}`, T0)));
    expect(await releaseNumbers(4)).toEqual(['4:1', '4:2', '4:3', '4:4', '4:5', '4:6']);
    expect(await b.held(4)).toEqual([]);
    for (let i = 7; i <= 12; i++) expect(await (await aProcess()).claim(4, `o4-${i}`, 6, T0)).toBe(true);
    expect(await b.claim(4, 'o4-13', 6, T0)).toBe(false);
  });

  it('counts releases stored before they were numbered, and never numbers them again', async () => {
    const claims = db().collection('pending_claims');
    const legacy = db().collection('pending_releases');
    for (let n = 1; n <= 3; n++) {
      await claims.insertOne({ _id: `3:${n}` as never, user_id: 3, order_no: `o3-${n}`, at: T0 });
      await legacy.insertOne({ _id: `o3-${n}` as never, user_id: 3, at: T0 });
    }
    const slots = await aProcess();
    await slots.release('o3-2', T0); // a repeat of an old release
    expect(await releaseNumbers(3)).toEqual([]);
    expect(await slots.claim(3, 'o3-4', 1, T0)).toBe(true); // claim 4: three releases, one slot
    expect(await slots.claim(3, 'o3-5', 1, T0)).toBe(false);
    await slots.release('o3-4', T0);
    expect(await releaseNumbers(3)).toEqual(['3:1']);
    const fresh = await aProcess();
    expect(await fresh.claim(3, 'o3-5', 1, T0)).toBe(true);
    expect(await fresh.claim(3, 'o3-6', 1, T0)).toBe(false);
  });

  it('never numbers a release an instance of the previous version recorded the old way', async () => {
    const slots = await aProcess();
    expect(await slots.claim(7, 'o7-1', 1, T0)).toBe(true); // this process now knows: no old releases
    await db()
      .collection('pending_releases')
      .insertOne({ _id: 'o7-1' as never, user_id: 7, at: T0 });
    await slots.release('o7-1', T0); // a repeat (a retried cancel) reaching this instance
    expect(await releaseNumbers(7)).toEqual([]);
    expect(await slots.claim(7, 'o7-1', 1, T0)).toBe(false); // released, so it holds no slot
    const fresh = await aProcess(); // counts the old release once: one slot for o7-2, none more
    expect(await fresh.claim(7, 'o7-2', 1, T0)).toBe(true);
    expect(await fresh.claim(7, 'o7-3', 1, T0)).toBe(false);
  });
});
