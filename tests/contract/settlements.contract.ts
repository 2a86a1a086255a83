import { beforeEach, describe, expect, it } from 'bun:test';
import type { Settlement } from '../../src/domain/settlement';
import { T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

const aSettlement = (over: Partial<Settlement> = {}): Settlement => ({
  orderId: 1,
  paymentId: '4200000000000000000000000001',
  amountFen: 990,
  settledAt: T0,
  source: 'callback',
  ...over,
});

export function settlementsContract(make: MakeRepositories) {
  describe('Settlements', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });

    it('keeps the first settlement and returns it to later writers', async () => {
      const first = await repos.settlements.record(aSettlement());
      const second = await repos.settlements.record(aSettlement({ paymentId: 'other', source: 'query' }));
      expect(first).toEqual({ settlement: aSettlement(), created: true });
      expect(second).toEqual({ settlement: aSettlement(), created: false });
      expect(await repos.settlements.find(1)).toEqual(aSettlement());
      expect(await repos.settlements.find(2)).toBeNull();
    });

    it('has exactly one winner among 30 concurrent writers', async () => {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          repos.settlements.record(aSettlement({ orderId: 9, paymentId: `p${i}` })),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = results.find((r) => r.created)!.settlement;
      for (const r of results) expect(r.settlement).toEqual(winner);
    });

    it('lets the first order to claim a transaction hold it for good', async () => {
      expect(await repos.settlements.paymentHolder('4200a')).toBeNull();
      expect(await repos.settlements.claimPayment('4200a', 1)).toBe(1);
      expect(await repos.settlements.claimPayment('4200a', 1)).toBe(1); // a repeat by the holder
      expect(await repos.settlements.claimPayment('4200a', 2)).toBe(1);
      expect(await repos.settlements.claimPayment('4200b', 2)).toBe(2);
      expect(await repos.settlements.paymentHolder('4200a')).toBe(1);
      expect(await repos.settlements.paymentHolder('4200b')).toBe(2);
    });

    it('gives a transaction claimed by 30 orders at once to exactly one of them', async () => {
      const holders = await Promise.all(
        Array.from({ length: 30 }, (_, i) => repos.settlements.claimPayment('4200race', 100 + i)),
      );
      expect(new Set(holders).size).toBe(1);
      expect(await repos.settlements.paymentHolder('4200race')).toBe(holders[0]!);
    });

    it('streams every settlement', async () => {
      for (const orderId of [3, 1, 2])
        await repos.settlements.record(aSettlement({ orderId, paymentId: `p${orderId}` }));
      const seen: number[] = [];
      for await (const s of repos.settlements.scan()) seen.push(s.orderId);
      expect(seen.sort()).toEqual([1, 2, 3]);
    });
  });
}
