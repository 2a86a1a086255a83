import { beforeEach, describe, expect, it } from 'bun:test';
import { T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

const check = (orderNo: string, dueMinute: number, attempt = 0) => ({ orderNo, dueMinute, attempt });
const byOrderNo = <T extends { orderNo: string }>(list: T[]) =>
  [...list].sort((a, b) => a.orderNo.localeCompare(b.orderNo));

export function sweeperStoreContract(make: MakeRepositories) {
  describe('Checks', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });

    it('files checks by minute, once per order and minute, and removes handled ones', async () => {
      await repos.checks.schedule(check('A', 100));
      await repos.checks.schedule(check('A', 100, 3));
      await repos.checks.schedule(check('B', 100, 1));
      await repos.checks.schedule(check('A', 101, 1));
      expect(byOrderNo(await repos.checks.due(100, 10))).toEqual([check('A', 100), check('B', 100, 1)]);
      expect(await repos.checks.due(100, 1)).toHaveLength(1);
      expect(await repos.checks.due(99, 10)).toEqual([]);
      await repos.checks.complete(check('A', 100));
      await repos.checks.complete(check('A', 100));
      expect(await repos.checks.due(100, 10)).toEqual([check('B', 100, 1)]);
      expect(await repos.checks.due(101, 10)).toEqual([check('A', 101, 1)]);
    });

    it('gives a check to one of 10 concurrent claimers per run minute', async () => {
      const c = check('C', 200);
      const wins = await Promise.all(Array.from({ length: 10 }, () => repos.checks.claim(c, 205)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await repos.checks.claim(c, 206)).toBe(true);
      await repos.checks.forgetClaims(205);
      expect(await repos.checks.claim(c, 205)).toBe(true);
      expect(await repos.checks.claim(c, 206)).toBe(false);
    });

    it('keeps a cursor hint and one-off claims', async () => {
      expect(await repos.checks.cursor()).toBeNull();
      await repos.checks.setCursor(42);
      await repos.checks.setCursor(40);
      expect(await repos.checks.cursor()).toBe(40);
      expect(await repos.checks.wasClaimed('job')).toBe(false);
      const claims = await Promise.all(Array.from({ length: 5 }, () => repos.checks.claimOnce('job')));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await repos.checks.wasClaimed('job')).toBe(true);
      expect(await repos.checks.wasClaimed('other')).toBe(false);
      expect(await repos.checks.claimOnce('other')).toBe(true);
    });
  });

  describe('CallBudget', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });

    it('hands out exactly `limit` calls per minute to concurrent takers, and a fresh limit after forgetting', async () => {
      const taken = await Promise.all(Array.from({ length: 12 }, () => repos.callBudget.take(7, 5)));
      expect(taken.filter(Boolean)).toHaveLength(5);
      expect(await repos.callBudget.take(8, 5)).toBe(true);
      await repos.callBudget.forget(7);
      expect(await repos.callBudget.take(7, 5)).toBe(true);
    });
  });

  describe('Reviews', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
      // A new store holds no review of an earlier version: its "all" list is complete at once.
      const backfill = await repos.reviews.backfillList?.(() => false);
      if (backfill) expect(backfill).toEqual({ entered: 0, finished: true });
    });
    const review = (orderId: number, minutes: number) => ({
      orderId,
      orderNo: `P${orderId}`,
      reason: 'unresolved' as const,
      detail: 'x',
      createdAt: new Date(T0.getTime() + minutes * 60_000),
    });

    it('opens one review per order and reason, lists newest first, resolves with a note', async () => {
      await repos.reviews.open(review(1, 0));
      await repos.reviews.open({ ...review(1, 5), detail: 'again' });
      await repos.reviews.open(review(2, 1));
      await repos.reviews.open({ ...review(1, 2), reason: 'second_payment' });
      const all = await repos.reviews.list({}, { skip: 0, limit: 10 });
      expect(all.map((r) => r.id)).toEqual(['1:second_payment', '2:unresolved', '1:unresolved']);
      expect(all[2]).toEqual({ ...review(1, 0), id: '1:unresolved', resolvedAt: null, resolution: null });
      const later = new Date(T0.getTime() + 3_600_000);
      expect(await repos.reviews.resolve('2:unresolved', '已人工退款', later)).toMatchObject({
        resolvedAt: later,
        resolution: '已人工退款',
      });
      expect(await repos.reviews.resolve('9:unresolved', 'x', later)).toBeNull();
      expect((await repos.reviews.list({ openOnly: true }, { skip: 0, limit: 10 })).map((r) => r.id)).toEqual(
        ['1:second_payment', '1:unresolved'],
      );
      expect((await repos.reviews.list({}, { skip: 1, limit: 1 })).map((r) => r.id)).toEqual([
        '2:unresolved',
      ]);
      const scanned: string[] = [];
      for await (const r of repos.reviews.scan()) scanned.push(r.id);
      expect(scanned.sort()).toEqual(['1:second_payment', '1:unresolved', '2:unresolved']);
    });

    // The Mongo store reads the "all" list hour by hour (review-list.ts): across days, hours, equal
    // timestamps and every page it must read as one newest-first sort, resolved reviews included.
    it('pages all reviews across days and hours as one newest-first sort would', async () => {
      const opened: { id: string; at: number }[] = [];
      for (let i = 1; i <= 30; i++) {
        // 23 hours over two days for 30 reviews: several share an hour, some a minute.
        const minutes = ((i * 7) % 23) * 60 * 2 + (i % 3 === 0 ? 0 : i % 5);
        await repos.reviews.open(review(i, minutes));
        opened.push({ id: `${i}:unresolved`, at: minutes });
        if (i % 4 === 0)
          await repos.reviews.resolve(`${i}:unresolved`, '已处理', new Date(T0.getTime() + 1e9));
      }
      const expected = opened.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)).map((r) => r.id);
      for (const [skip, limit] of [
        [0, 7],
        [5, 7],
        [17, 4],
        [28, 10],
        [0, 100],
      ] as const) {
        const got = (await repos.reviews.list({}, { skip, limit })).map((r) => r.id);
        expect({ skip, got }).toEqual({ skip, got: expected.slice(skip, skip + limit) });
      }
      const all = await repos.reviews.list({}, { skip: 0, limit: 100 });
      expect(all.filter((r) => r.resolvedAt !== null)).toHaveLength(7);
    });

    it('keeps a resolved review out of the open list when it is opened again, and pages the open ones', async () => {
      for (let i = 1; i <= 5; i++) await repos.reviews.open(review(i, i));
      await repos.reviews.resolve('3:unresolved', '已处理', new Date(T0.getTime() + 3_600_000));
      await repos.reviews.open(review(3, 30)); // the same order and reason: changes nothing
      const open = async (skip: number, limit: number) =>
        (await repos.reviews.list({ openOnly: true }, { skip, limit })).map((r) => r.id);
      expect(await open(0, 10)).toEqual(['5:unresolved', '4:unresolved', '2:unresolved', '1:unresolved']);
      expect(await open(1, 2)).toEqual(['4:unresolved', '2:unresolved']);
      expect(await open(4, 2)).toEqual([]);
      expect((await repos.reviews.find('3:unresolved'))?.resolution).toBe('已处理');
    });
  });
}
