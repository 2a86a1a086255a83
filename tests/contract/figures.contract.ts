import { beforeEach, describe, expect, it } from 'bun:test';
import { hourOf } from '../../src/domain/figures';
import { anEntry, anOrder, T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

/** What the console dashboard reads: records by hour, credit snapshots, orders by amount. */
export function figuresContract(make: MakeRepositories) {
  describe('Figures (hour reads, credit snapshots, order amount)', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });
    const hour = hourOf(T0);
    const inHour = (min: number) => new Date(hour * 3_600_000 + min * 60_000);

    it('finds settlements, ledger entries and status records by the hour of their own time', async () => {
      await repos.settlements.record({
        orderId: 1,
        paymentId: 'p1',
        amountFen: 990,
        settledAt: inHour(59),
        source: 'callback',
      });
      await repos.settlements.record({
        orderId: 2,
        paymentId: 'p2',
        amountFen: 100,
        settledAt: inHour(60),
        source: 'query',
      });
      await repos.ledger.insert(anEntry({ createdAt: inHour(0) }));
      await repos.ledger.insert(anEntry({ seq: 2, idempotencyKey: 'k2', createdAt: inHour(-1) }));
      await repos.statusChanges.record({ orderId: 1, status: 'paid', at: inHour(30) });
      await repos.statusChanges.record({ orderId: 1, status: 'completed', at: inHour(61) });

      expect((await repos.settlements.inHour(hour)).map((s) => s.orderId)).toEqual([1]);
      expect((await repos.settlements.inHour(hour + 1)).map((s) => s.orderId)).toEqual([2]);
      expect((await repos.ledger.inHour(hour)).map((e) => e.seq)).toEqual([1]);
      expect((await repos.ledger.inHour(hour - 1)).map((e) => e.seq)).toEqual([2]);
      expect((await repos.statusChanges.inHour(hour)).map((c) => c.status)).toEqual(['paid']);
      expect(await repos.statusChanges.inHour(hour + 2)).toEqual([]);
    });

    it('keeps the first credit snapshot of an hour and answers the newest', async () => {
      expect(await repos.figureStore.latestSnapshot()).toBeNull();
      const s = { throughHour: 10, issued: 5, spent: 1, takenBack: 0, outstanding: 4, createdAt: T0 };
      await repos.figureStore.saveSnapshot(s);
      await repos.figureStore.saveSnapshot({ ...s, issued: 99 });
      expect(await repos.figureStore.latestSnapshot()).toEqual(s);
      const next = { ...s, throughHour: 12, outstanding: 7 };
      await repos.figureStore.saveSnapshot(next);
      await repos.figureStore.saveSnapshot({ ...s, throughHour: 11 }); // an older one saved late
      expect(await repos.figureStore.latestSnapshot()).toEqual(next);
    });

    it('keeps the first sums stored for an hour', async () => {
      const { ZERO } = await import('../../src/domain/figures');
      const q = { ...ZERO, salesCount: 2, salesFen: 1980 };
      expect(await repos.figureStore.hour(7)).toBeNull();
      await repos.figureStore.saveHour(7, [q, ZERO, ZERO, ZERO]);
      await repos.figureStore.saveHour(7, [ZERO, ZERO, ZERO, ZERO]);
      expect(await repos.figureStore.hour(7)).toEqual([q, ZERO, ZERO, ZERO]);
    });

    it('searches orders by exact amount', async () => {
      const a = await repos.orders.create(anOrder({ amountFen: 990 }));
      await repos.orders.create(anOrder({ amountFen: 1990 }));
      const found = await repos.orders.search({ amountFen: 990 }, { skip: 0, limit: 10 });
      expect(found.map((o) => o.id)).toEqual([a.id]);
    });
  });
}
