import { beforeEach, describe, expect, it } from 'bun:test';
import { T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

export function statusChangesContract(make: MakeRepositories) {
  describe('StatusChanges', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });
    const later = new Date(T0.getTime() + 60_000);

    it('keeps the first record of each status per order, with its fields', async () => {
      const first = await repos.statusChanges.record({
        orderId: 1,
        status: 'paid',
        paymentId: '42',
        paymentTime: T0,
        at: T0,
      });
      const second = await repos.statusChanges.record({
        orderId: 1,
        status: 'paid',
        paymentId: '43',
        paymentTime: later,
        at: later,
      });
      // The answer says which call recorded it: the metrics count each status reached exactly once.
      expect([first, second]).toEqual([true, false]);
      await repos.statusChanges.record({ orderId: 1, status: 'refunded', refundTime: later, at: later });
      await repos.statusChanges.record({ orderId: 2, status: 'cancelled', at: T0 });
      const changes = await repos.statusChanges.list(1);
      expect(changes.sort((a, b) => a.status.localeCompare(b.status))).toEqual([
        { orderId: 1, status: 'paid', paymentId: '42', paymentTime: T0, at: T0 },
        { orderId: 1, status: 'refunded', refundTime: later, at: later },
      ]);
      expect(await repos.statusChanges.list(2)).toEqual([{ orderId: 2, status: 'cancelled', at: T0 }]);
      expect(await repos.statusChanges.list(3)).toEqual([]);
    });

    it('records one of 20 concurrent writers of the same status', async () => {
      const won = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          repos.statusChanges.record({ orderId: 9, status: 'completed', paymentId: String(i), at: T0 }),
        ),
      );
      expect(await repos.statusChanges.list(9)).toHaveLength(1);
      expect(won.filter(Boolean)).toHaveLength(1);
    });
  });
}
