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

    const claim = (paymentId: string, orderId: number, claimedAt = T0) => ({ paymentId, orderId, claimedAt });

    it('lets the first order to claim a transaction hold it for good', async () => {
      const later = new Date(T0.getTime() + 60_000);
      expect(await repos.settlements.paymentClaim('4200a')).toBeNull();
      expect(await repos.settlements.claimPayment(claim('4200a', 1))).toEqual(claim('4200a', 1));
      // A repeat by the holder, and another order: both get the first claim, its time included.
      expect(await repos.settlements.claimPayment(claim('4200a', 1, later))).toEqual(claim('4200a', 1));
      expect(await repos.settlements.claimPayment(claim('4200a', 2, later))).toEqual(claim('4200a', 1));
      expect(await repos.settlements.claimPayment(claim('4200b', 2, later))).toEqual(
        claim('4200b', 2, later),
      );
      expect(await repos.settlements.paymentClaim('4200a')).toEqual(claim('4200a', 1));
      expect(await repos.settlements.paymentClaim('4200b')).toEqual(claim('4200b', 2, later));
    });

    it('gives a transaction claimed by 30 orders at once to exactly one of them', async () => {
      const holders = await Promise.all(
        Array.from({ length: 30 }, (_, i) => repos.settlements.claimPayment(claim('4200race', 100 + i))),
      );
      expect(new Set(holders.map((h) => h.orderId)).size).toBe(1);
      expect(await repos.settlements.paymentClaim('4200race')).toEqual(holders[0]!);
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
