import { beforeEach, describe, expect, it } from 'bun:test';
import type { Refund } from '../../src/domain/refund';
import { T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

const aRefund = (over: Partial<Refund> = {}): Refund => ({
  orderId: 1,
  outRefundNo: 'R2023070112000012345678Ab3dE5g7',
  refundFen: 990,
  reason: '管理员退款',
  createdAt: T0,
  ...over,
});

export function refundsContract(make: MakeRepositories) {
  describe('Refunds', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });

    it('keeps the first refund of an order and returns it to later writers', async () => {
      const first = await repos.refunds.record(aRefund());
      const second = await repos.refunds.record(aRefund({ outRefundNo: 'Rother', reason: 'again' }));
      expect(first).toEqual({ refund: aRefund(), created: true });
      expect(second).toEqual({ refund: aRefund(), created: false });
      expect(await repos.refunds.find(1)).toEqual(aRefund());
      expect(await repos.refunds.find(2)).toBeNull();
    });

    it('has exactly one winner among 30 concurrent writers', async () => {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          repos.refunds.record(aRefund({ orderId: 9, outRefundNo: `R9x${i}` })),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = results.find((r) => r.created)!.refund;
      for (const r of results) expect(r.refund).toEqual(winner);
      expect(await repos.refunds.find(9)).toEqual(winner);
    });

    it("never lets a second order take another order's refund number", async () => {
      await repos.refunds.record(aRefund({ orderId: 1, outRefundNo: 'Rsame' }));
      await expect(repos.refunds.record(aRefund({ orderId: 2, outRefundNo: 'Rsame' }))).rejects.toThrow();
      expect(await repos.refunds.find(2)).toBeNull();
    });
  });
}
