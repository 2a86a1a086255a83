import { describe, expect, it } from 'bun:test';
import { MongoLedger } from '../../src/adapters/mongo/ledger';
import { FixedClock } from '../../src/adapters/system/clock';
import { appendEntry } from '../../src/domain/usecases/ledger';
import { processesOverOneDatabase } from '../support/processes';

/**
 * The Mongo ledger finds a user's head by probing (user_id, seq) from the head it saw last or from a
 * stored hint. What only several processes over one real store can show: another process's appends
 * are found, a process that never saw the user starts from the hint, and a history with no hint
 * (stored before hints were kept) is still read right and gets one.
 */
describe('the Mongo ledger head across processes (FerretDB unless TEST_MONGODB_URI)', () => {
  const store = processesOverOneDatabase('ledger_head', (conn) => new MongoLedger(conn));
  const aProcess = store.open;
  const clock = new FixedClock();
  const append = async (ledger: MongoLedger, userId: number, n: number, from: number) => {
    for (let i = from; i < from + n; i++) {
      const r = await appendEntry(
        { ledger, clock },
        {
          userId,
          amount: 1,
          type: 'adjust',
          description: `entry ${i}`,
          relatedOrderId: null,
          idempotencyKey: `u${userId}:${i}`,
        },
      );
      if (!r.ok) throw new Error(r.error.kind);
    }
  };
  const hints = () => store.db().collection<{ _id: number; seq: number }>('ledger_heads');

  it('sees the appends of another process, and pages a long history newest first', async () => {
    const [a, b] = [await aProcess(), await aProcess()];
    expect(await b.head(1)).toBeNull();
    await append(a, 1, 100, 0);
    expect(await b.head(1)).toMatchObject({ seq: 100, balanceAfter: 100 });
    await append(a, 1, 7, 100); // b remembers seq 100 and must find 107
    expect(await b.head(1)).toMatchObject({ seq: 107, description: 'entry 106' });
    const seqs = async (skip: number, limit: number) => (await b.list(1, { skip, limit })).map((e) => e.seq);
    expect(await seqs(0, 3)).toEqual([107, 106, 105]);
    expect(await seqs(100, 20)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(await seqs(107, 20)).toEqual([]);
    expect(await hints().findOne({ _id: 1 })).toEqual({ _id: 1, seq: 96 });
  });

  it('starts from the hint in a process that never saw the user, without reading the history', async () => {
    const a = await aProcess();
    await append(a, 2, 70, 0);
    expect(await hints().findOne({ _id: 2 })).toEqual({ _id: 2, seq: 64 });
    const { result, started } = await store.watched((ledger) => ledger.head(2));
    expect(result).toMatchObject({ seq: 70, balanceAfter: 70 });
    const finds = started('find');
    expect(finds.filter((f) => f.sort)).toEqual([]); // a sorted read would return all 70 entries
    expect(finds.length).toBeLessThanOrEqual(1 + 1 + 2 * 3 + 1); // hint, its entry, gallop and bisect over 6
  });

  it('keeps one gap-free chain when two processes append to one user at once', async () => {
    const [a, b] = [await aProcess(), await aProcess()];
    await Promise.all([a.head(6), b.head(6)]); // both remember "no entries"
    await Promise.all(Array.from({ length: 50 }, (_, i) => append(i % 2 ? a : b, 6, 1, i)));
    const entries = await (await aProcess()).list(6, { skip: 0, limit: 100 });
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 50 - i));
    expect(entries.map((e) => e.balanceAfter)).toEqual(Array.from({ length: 50 }, (_, i) => 50 - i));
    expect(new Set(entries.map((e) => e.idempotencyKey)).size).toBe(50);
    expect(await a.head(6)).toMatchObject({ seq: 50, balanceAfter: 50 });
    expect(await b.head(6)).toMatchObject({ seq: 50, balanceAfter: 50 });
  });

  it('reads a history without a hint in full once, and then leaves one', async () => {
    const a = await aProcess();
    await append(a, 3, 40, 0);
    await hints().deleteOne({ _id: 3 });
    expect(await (await aProcess()).head(3)).toMatchObject({ seq: 40 });
    expect(await hints().findOne({ _id: 3 })).toEqual({ _id: 3, seq: 40 });
  });

  it('keeps a short history to one read, and tells users apart', async () => {
    const a = await aProcess();
    await append(a, 4, 3, 0);
    const b = await aProcess();
    expect((await b.list(4, { skip: 0, limit: 10 })).map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(await b.head(5)).toBeNull();
    expect(await hints().findOne({ _id: 4 })).toBeNull();
  });
});
