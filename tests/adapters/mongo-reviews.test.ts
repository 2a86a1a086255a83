import { describe, expect, it } from 'bun:test';
import { MongoReviews } from '../../src/adapters/mongo/reviews';
import { systemClock } from '../../src/adapters/system/clock';
import { T0 } from '../support/builders';
import { processesOverOneDatabase } from '../support/processes';

/**
 * The open list reads markers of open reviews (open-reviews.ts), not `find({resolved_at: null})`,
 * which FerretDB cannot push down. What only the Mongo store can show: reviews stored before the
 * markers are listed, a marker left behind by a resolved review is dropped, and every read of the
 * list is an equality.
 */
describe('Mongo open reviews (FerretDB unless TEST_MONGODB_URI)', () => {
  const store = processesOverOneDatabase('open_reviews', (conn) => new MongoReviews(conn, systemClock));
  const review = (orderId: number, minutes: number) => ({
    orderId,
    orderNo: `P${orderId}`,
    reason: 'unresolved' as const,
    detail: 'x',
    createdAt: new Date(T0.getTime() + minutes * 60_000),
  });
  const openIds = async (reviews: MongoReviews) =>
    (await reviews.list({ openOnly: true }, { skip: 0, limit: 50 })).map((r) => r.id);

  it('lists reviews stored before the markers, drops stale markers, and reads by equality', async () => {
    const writer = await store.open();
    for (let i = 1; i <= 4; i++) await writer.open(review(i, i));
    await writer.resolve('2:unresolved', 'done', new Date(T0.getTime() + 3_600_000));
    // As an earlier version stored them: no markers at all.
    await store.db().collection('open_reviews').deleteMany({});
    const upgraded = await store.open();
    expect(await openIds(upgraded)).toEqual(['4:unresolved', '3:unresolved', '1:unresolved']);
    // A marker left behind (a crash between resolving and unmarking): not listed, and deleted.
    await upgraded.resolve('3:unresolved', 'done', new Date(T0.getTime() + 3_600_000));
    await store
      .db()
      .collection('open_reviews')
      .insertOne({ _id: '3:unresolved' as never, state: 'open', created_at: T0 });
    const { started } = await store.watched(async (reviews) => {
      expect(await openIds(reviews)).toEqual(['4:unresolved', '1:unresolved']);
    });
    expect(
      await store
        .db()
        .collection('open_reviews')
        .countDocuments({ _id: '3:unresolved' as never }),
    ).toBe(0);
    const finds = started('find');
    expect(finds.length).toBeGreaterThan(0);
    // The markers by their state, each review by its id: no read of every review.
    for (const f of finds)
      for (const key of Object.keys(f.filter as object)) expect(['state', '_id']).toContain(key);
    expect(finds.some((f) => 'resolved_at' in (f.filter as object))).toBe(false);
  });

  // The "all" view reads review_list (review-list.ts) hour by hour once the reviews stored before it
  // are entered; until then it reads as before. The backfill only inserts: no resolution is undone.
  it('lists all reviews stored before the list the same before and after its backfill, then by equality', async () => {
    const db = store.db();
    await db.collection('reviews').deleteMany({});
    const writer = await store.open();
    for (let i = 11; i <= 16; i++) await writer.open(review(i, i * 97));
    await writer.resolve('12:unresolved', 'done', new Date(T0.getTime() + 3_600_000));
    const allIds = async (reviews: MongoReviews, skip = 0, limit = 50) =>
      (await reviews.list({}, { skip, limit })).map((r) => r.id);
    const expected = ['16', '15', '14', '13', '12', '11'].map((n) => `${n}:unresolved`);
    // As an earlier version stored them: no list, no directory.
    for (const c of ['review_list', 'review_hours', 'review_days']) await db.collection(c).deleteMany({});
    const upgraded = await store.open();
    expect(await allIds(upgraded)).toEqual(expected);
    // Opened again (a duplicate notification) before the backfill reached it: listed under its own date.
    await upgraded.open(review(13, 10_000));
    let asked = 0;
    const first = await upgraded.backfillList(() => ++asked > 2);
    expect(first.finished).toBe(false);
    expect(await allIds(upgraded)).toEqual(expected);
    // Six reviews in all: 13 entered by its re-open, the rest by the two runs.
    expect(first.entered + (await upgraded.backfillList(() => false)).entered).toBe(5);
    await upgraded.open(review(17, 17 * 97));
    const { started } = await store.watched(async (reviews) => {
      expect(await allIds(reviews)).toEqual(['17:unresolved', ...expected]);
      expect(await allIds(reviews, 2, 3)).toEqual(expected.slice(1, 4));
    });
    expect((await upgraded.find('12:unresolved'))?.resolution).toBe('done');
    const finds = started('find');
    for (const f of finds.filter((c) => c.find === 'reviews'))
      expect(Object.keys(f.filter as object)).toEqual(['_id']);
    expect(finds.some((c) => c.find === 'review_list')).toBe(true);
    for (const f of finds.filter((c) => c.find === 'review_list'))
      expect(Object.keys(f.filter as object)).toEqual(['created_hour']);
  });

  // A queue that grew (100,000 open in the scale check answered 503 at the request deadline): the
  // markers carry their review's date, so a page reads the markers and then only its own reviews.
  it("reads only the page's reviews of a long open queue, markers from before their dates included", async () => {
    const db = store.db();
    for (const c of ['reviews', 'open_reviews']) await db.collection(c).deleteMany({});
    await db
      .collection('open_reviews')
      .insertOne({ _id: 'stored-reviews-entered' as never, state: 'stored-reviews-entered' });
    const writer = await store.open();
    for (let i = 1; i <= 60; i++) await writer.open(review(100 + i, i));
    // Two markers as an earlier version wrote them, without the date: sorted by their reviews' dates.
    for (const id of ['130:unresolved', '160:unresolved'])
      await db.collection('open_reviews').updateOne({ _id: id as never }, { $unset: { created_at: '' } });
    await writer.resolve('159:unresolved', 'done', new Date(T0.getTime() + 3_600_000));
    await db
      .collection('open_reviews')
      .insertOne({ _id: '159:unresolved' as never, state: 'open', created_at: review(159, 59).createdAt });
    const { result, started } = await store.watched((reviews) =>
      reviews.list({ openOnly: true }, { skip: 0, limit: 5 }),
    );
    expect(result.map((r) => r.id)).toEqual(
      ['160', '158', '157', '156', '155'].map((n) => `${n}:unresolved`),
    );
    // The two undated markers' reviews (for their dates), then the page: its five and the stale one.
    expect(started('find').filter((c) => c.find === 'reviews')).toHaveLength(2 + 6);
    // The undated markers were given their dates: a second listing reads only its page.
    const again = await store.watched((reviews) => reviews.list({ openOnly: true }, { skip: 0, limit: 5 }));
    expect(again.result.map((r) => r.id)).toEqual(result.map((r) => r.id));
    expect(again.started('find').filter((c) => c.find === 'reviews')).toHaveLength(5);
    // A marker whose open crashed before the insert: deleted once old, kept while its insert may come.
    const markers = db.collection('open_reviews');
    await markers.insertOne({
      _id: '199:unresolved' as never,
      state: 'open',
      created_at: new Date(Date.now() - 3_600_000),
    });
    await markers.insertOne({ _id: '198:unresolved' as never, state: 'open', created_at: new Date() });
    expect((await writer.list({ openOnly: true }, { skip: 0, limit: 3 })).map((r) => r.id)).toEqual(
      ['160', '158', '157'].map((n) => `${n}:unresolved`),
    );
    expect(await markers.countDocuments({ _id: '199:unresolved' as never })).toBe(0);
    expect(await markers.countDocuments({ _id: '198:unresolved' as never })).toBe(1);
    await markers.deleteOne({ _id: '198:unresolved' as never });
    // The stale marker is gone now: 160, then 158 down to 101.
    const later = await writer.list({ openOnly: true }, { skip: 28, limit: 3 });
    expect(later.map((r) => r.id)).toEqual(['131', '130', '129'].map((n) => `${n}:unresolved`));
  });
});
