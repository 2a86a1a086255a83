import { describe, expect, it } from 'bun:test';
import type { OnceKeys, PendingSlots, RateWindows, SpendTallies } from '../../src/domain/ports';
import { T0 } from '../support/builders';

export interface LimitStores {
  rateWindows: RateWindows;
  onceKeys: OnceKeys;
  pendingSlots: PendingSlots;
  spendTallies: SpendTallies;
}

/** Two instances over one fresh, empty store: what two API processes on one database are. */
export type MakeLimitStores = () => Promise<{ a: LimitStores; b: LimitStores; fresh: () => LimitStores }>;

const at = (ms: number) => new Date(T0.getTime() + ms);
const times = <T>(n: number, f: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => f(i)));
const count = (results: boolean[]) => results.filter(Boolean).length;

export function rateWindowsContract(make: MakeLimitStores) {
  describe('RateWindows', () => {
    it('gives `limit` uses per window, then refuses until the next window', async () => {
      const { a } = await make();
      const r = a.rateWindows;
      const taken = [];
      for (let i = 0; i < 4; i++) taken.push(await r.take('ip:1', 3, 60, at(i * 1000)));
      expect(taken).toEqual([true, true, true, false]);
      expect(await r.take('ip:2', 3, 60, at(5000))).toBe(true);
      expect(await r.take('ip:1', 3, 60, at(60_000))).toBe(true);
    });

    it('keeps windows of different sizes of one key apart', async () => {
      const { a } = await make();
      expect(await a.rateWindows.take('k', 1, 60, T0)).toBe(true);
      expect(await a.rateWindows.take('k', 1, 600, T0)).toBe(true);
      expect(await a.rateWindows.take('k', 1, 60, T0)).toBe(false);
    });

    it('holds the limit under 60 concurrent takes on two instances', async () => {
      const { a, b } = await make();
      const results = await times(60, (i) => (i % 2 ? a : b).rateWindows.take('flood', 7, 60, T0));
      expect(count(results)).toBe(7);
      expect(await a.rateWindows.take('flood', 7, 60, T0)).toBe(false);
      expect(await b.rateWindows.take('flood', 7, 60, T0)).toBe(false);
    });

    it('reports a full window without taking a use, on any instance', async () => {
      const { a, b } = await make();
      expect(await b.rateWindows.exhausted('fail', 2, 60, T0)).toBe(false);
      await a.rateWindows.take('fail', 2, 60, T0);
      expect(await b.rateWindows.exhausted('fail', 2, 60, T0)).toBe(false);
      await a.rateWindows.take('fail', 2, 60, T0);
      expect(await b.rateWindows.exhausted('fail', 2, 60, T0)).toBe(true);
      expect(await b.rateWindows.exhausted('fail', 2, 60, at(60_000))).toBe(false);
    });

    it('purges ended windows: their uses can be taken again', async () => {
      const { a, fresh } = await make();
      await a.rateWindows.take('old', 1, 60, T0);
      await a.rateWindows.purge(at(30_000));
      expect(await fresh().rateWindows.take('old', 1, 60, T0)).toBe(false);
      await a.rateWindows.purge(at(10 * 60_000));
      expect(await fresh().rateWindows.take('old', 1, 60, T0)).toBe(true);
    });
  });
}

export function onceKeysContract(make: MakeLimitStores) {
  describe('OnceKeys', () => {
    it('lets the first claim win and shows later claims its note', async () => {
      const { a, b } = await make();
      expect(await a.onceKeys.claim('code:x', at(60_000))).toEqual({ first: true });
      expect(await b.onceKeys.claim('code:x', at(60_000))).toEqual({ first: false, note: null });
      await a.onceKeys.note('code:x', 'code_invalid');
      expect(await b.onceKeys.claim('code:x', at(60_000))).toEqual({ first: false, note: 'code_invalid' });
      expect(await b.onceKeys.claim('code:y', at(60_000))).toEqual({ first: true });
    });

    it('has exactly one first claimer among 40 concurrent ones on two instances', async () => {
      const { a, b } = await make();
      const results = await times(40, (i) => (i % 2 ? a : b).onceKeys.claim('race', at(60_000)));
      expect(results.filter((r) => r.first)).toHaveLength(1);
    });

    it('purges keys whose time is over', async () => {
      const { a } = await make();
      await a.onceKeys.claim('short', at(60_000));
      await a.onceKeys.claim('long', at(3600_000));
      await a.onceKeys.purge(at(10 * 60_000));
      expect(await a.onceKeys.claim('short', at(60_000))).toEqual({ first: true });
      expect((await a.onceKeys.claim('long', at(3600_000))).first).toBe(false);
    });
  });
}

export function pendingSlotsContract(make: MakeLimitStores) {
  describe('PendingSlots', () => {
    it('holds `limit` slots per user and frees one per released order, once', async () => {
      const { a } = await make();
      const s = a.pendingSlots;
      expect(await s.claim(1, 'o1', 2, T0)).toBe(true);
      expect(await s.claim(1, 'o2', 2, T0)).toBe(true);
      expect(await s.claim(1, 'o3', 2, T0)).toBe(false);
      expect(await s.claim(2, 'p1', 2, T0)).toBe(true);
      await s.release('o1', T0);
      await s.release('o1', T0);
      await s.release('never-claimed', T0);
      expect(await s.claim(1, 'o4', 2, T0)).toBe(true);
      expect(await s.claim(1, 'o5', 2, T0)).toBe(false);
      expect((await s.held(1)).map((h) => h.orderNo).sort()).toEqual(['o2', 'o4']);
      expect(await s.held(1)).toContainEqual({ orderNo: 'o2', claimedAt: T0 });
    });

    it('keeps the slot of an order that claims again', async () => {
      const { a } = await make();
      expect(await a.pendingSlots.claim(1, 'o1', 1, T0)).toBe(true);
      expect(await a.pendingSlots.claim(1, 'o1', 1, T0)).toBe(true);
      expect(await a.pendingSlots.held(1)).toHaveLength(1);
    });

    it('gives out exactly `limit` slots to 50 concurrent claims on two instances', async () => {
      const { a, b } = await make();
      const results = await times(50, (i) => (i % 2 ? a : b).pendingSlots.claim(7, `c${i}`, 5, T0));
      expect(count(results)).toBe(5);
      expect(await a.pendingSlots.held(7)).toHaveLength(5);
    });

    it('never holds more than `limit` while releases and claims interleave', async () => {
      const { a, b } = await make();
      for (let i = 0; i < 3; i++) await a.pendingSlots.claim(9, `first${i}`, 3, T0);
      const results = await Promise.all([
        ...[0, 1, 2].map((i) => b.pendingSlots.release(`first${i}`, T0).then(() => false)),
        ...Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).pendingSlots.claim(9, `next${i}`, 3, T0)),
      ]);
      expect(count(results)).toBeLessThanOrEqual(3);
      await times(10, (i) => a.pendingSlots.claim(9, `late${i}`, 3, T0));
      expect(await a.pendingSlots.held(9)).toHaveLength(3);
    });
  });
}

export function spendTalliesContract(make: MakeLimitStores) {
  describe('SpendTallies', () => {
    it('adds up to the cap, counts a key once and gives it back once', async () => {
      const { a } = await make();
      const t = a.spendTallies;
      expect(await t.add(1, '2023-07-01', 'order:a', 600, 1000, T0)).toBe(true);
      expect(await t.add(1, '2023-07-01', 'order:a', 600, 1000, T0)).toBe(true);
      expect(await t.add(1, '2023-07-01', 'order:b', 500, 1000, T0)).toBe(false);
      expect(await t.add(1, '2023-07-01', 'order:c', 400, 1000, T0)).toBe(true);
      expect(await t.add(1, '2023-07-02', 'order:d', 1000, 1000, T0)).toBe(true);
      expect(await t.add(2, '2023-07-01', 'order:e', 1000, 1000, T0)).toBe(true);
      await t.remove(1, '2023-07-01', 'order:a', T0);
      await t.remove(1, '2023-07-01', 'order:a', T0);
      await t.remove(1, '2023-07-01', 'order:unknown', T0);
      expect(await t.add(1, '2023-07-01', 'order:f', 600, 1000, T0)).toBe(true);
      expect(await t.add(1, '2023-07-01', 'order:g', 1, 1000, T0)).toBe(false);
    });

    it('lets exactly cap / amount of 40 concurrent additions on two instances through', async () => {
      const { a, b } = await make();
      const results = await times(40, (i) =>
        (i % 2 ? a : b).spendTallies.add(3, '2023-07-01', `order:${i}`, 100, 1000, T0),
      );
      expect(count(results)).toBe(10);
    });
  });
}

export const limitContracts = [
  rateWindowsContract,
  onceKeysContract,
  pendingSlotsContract,
  spendTalliesContract,
];
