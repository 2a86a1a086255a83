import { beforeEach, describe, expect, it } from 'bun:test';
import type { RefundAttempt, RefundEvent } from '../../src/domain/refund';
import { T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

const anAttempt = (over: Partial<RefundAttempt> = {}): RefundAttempt => ({
  orderId: 1,
  attempt: 1,
  outRefundNo: 'R2023070112000012345678Ab3dE5g7',
  refundFen: 990,
  reason: '管理员退款',
  createdAt: T0,
  ...over,
});

const processing = (outRefundNo: string, refundId: string | null = '50300000000000000000000000001') =>
  ({ outRefundNo, stage: 'processing', refundId, source: 'admin', at: T0 }) as const;
const final = (
  outRefundNo: string,
  outcome: 'succeeded' | 'closed' | 'abnormal' | 'failed',
): RefundEvent => ({
  outRefundNo,
  stage: 'final',
  outcome,
  refundId: '50300000000000000000000000001',
  detail: outcome,
  source: 'follow',
  at: new Date(T0.getTime() + 60_000),
});

export function refundsContract(make: MakeRepositories) {
  describe('Refunds', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });

    it('keeps the first attempt per (order, attempt number) and returns it to later writers', async () => {
      const first = await repos.refunds.claim(anAttempt());
      const second = await repos.refunds.claim(anAttempt({ outRefundNo: 'Rother1', reason: 'again' }));
      expect(first).toEqual({ attempt: anAttempt(), created: true });
      expect(second).toEqual({ attempt: anAttempt(), created: false });
      expect(await repos.refunds.attempts(1)).toEqual([anAttempt()]);
      expect(await repos.refunds.attempts(2)).toEqual([]);
      expect(await repos.refunds.findByOutRefundNo(anAttempt().outRefundNo)).toEqual(anAttempt());
      expect(await repos.refunds.findByOutRefundNo('Rother1')).toBeNull();
    });

    it('has exactly one winner among 30 concurrent claims of the same attempt', async () => {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          repos.refunds.claim(anAttempt({ orderId: 9, outRefundNo: `R9x${i}` })),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = results.find((r) => r.created)!.attempt;
      for (const r of results) expect(r.attempt).toEqual(winner);
      expect(await repos.refunds.attempts(9)).toEqual([winner]);
    });

    it('lists an order’s attempts in attempt order, each with its own refund number', async () => {
      await repos.refunds.claim(anAttempt({ attempt: 2, outRefundNo: 'Rsecond' }));
      await repos.refunds.claim(anAttempt({ attempt: 1, outRefundNo: 'Rfirst' }));
      expect((await repos.refunds.attempts(1)).map((a) => [a.attempt, a.outRefundNo])).toEqual([
        [1, 'Rfirst'],
        [2, 'Rsecond'],
      ]);
    });

    it('never lets another attempt take a refund number', async () => {
      await repos.refunds.claim(anAttempt({ orderId: 1, outRefundNo: 'Rsame' }));
      await expect(repos.refunds.claim(anAttempt({ orderId: 2, outRefundNo: 'Rsame' }))).rejects.toThrow();
      await expect(
        repos.refunds.claim(anAttempt({ orderId: 1, attempt: 2, outRefundNo: 'Rsame' })),
      ).rejects.toThrow();
      expect(await repos.refunds.attempts(2)).toEqual([]);
    });

    it('records each stage once: the first processing and the first outcome stand', async () => {
      const no = anAttempt().outRefundNo;
      expect(await repos.refunds.events(no)).toEqual([]);
      expect(await repos.refunds.record(processing(no))).toEqual({ event: processing(no), created: true });
      expect((await repos.refunds.record(processing(no, null))).created).toBe(false);
      expect(await repos.refunds.record(final(no, 'closed'))).toEqual({
        event: final(no, 'closed'),
        created: true,
      });
      expect(await repos.refunds.record(final(no, 'succeeded'))).toEqual({
        event: final(no, 'closed'),
        created: false,
      });
      expect(await repos.refunds.events(no)).toEqual([processing(no), final(no, 'closed')]);
      expect(await repos.refunds.events('Rnone')).toEqual([]);
    });

    it('has exactly one outcome among 20 concurrent, contradicting writers', async () => {
      const outcomes = ['succeeded', 'closed', 'abnormal', 'failed'] as const;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => repos.refunds.record(final('Rrace', outcomes[i % 4]!))),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = results.find((r) => r.created)!.event;
      for (const r of results) expect(r.event).toEqual(winner);
      expect(await repos.refunds.events('Rrace')).toEqual([winner]);
    });

    it('lists attempts by their state projection, oldest first, and moves it only from the given states', async () => {
      const at = (min: number) => new Date(T0.getTime() + min * 60_000);
      await repos.refunds.claim(anAttempt({ orderId: 3, outRefundNo: 'Rlate', createdAt: at(2) }));
      await repos.refunds.claim(anAttempt({ orderId: 2, outRefundNo: 'Rearly', createdAt: at(1) }));
      await repos.refunds.claim(anAttempt({ orderId: 4, outRefundNo: 'Rdone', createdAt: at(0) }));
      const nos = async (state: 'requested' | 'processing' | 'succeeded', limit = 10) =>
        (await repos.refunds.listByState(state, limit)).map((a) => a.outRefundNo);
      expect(await nos('requested')).toEqual(['Rdone', 'Rearly', 'Rlate']);
      expect(await nos('requested', 2)).toEqual(['Rdone', 'Rearly']);

      await repos.refunds.project('Rdone', ['requested', 'processing'], 'succeeded');
      await repos.refunds.project('Rearly', ['requested'], 'processing');
      // A late writer that would move a finished attempt backwards does nothing.
      await repos.refunds.project('Rdone', ['requested'], 'processing');
      expect(await nos('requested')).toEqual(['Rlate']);
      expect(await nos('processing')).toEqual(['Rearly']);
      expect(await nos('succeeded')).toEqual(['Rdone']);
    });
  });
}
