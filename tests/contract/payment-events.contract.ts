import { beforeEach, describe, expect, it } from 'bun:test';
import type { PaymentEventRecord } from '../../src/domain/payment-events';
import { T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

const DAY_MS = 86_400_000;
let seq = 0;
/** Expiry on a whole minute: stores may keep it to the minute only. */
const anEvent = (over: Partial<PaymentEventRecord> = {}): PaymentEventRecord => {
  seq++;
  const at = over.at ?? new Date(T0.getTime() + seq * 1000);
  return {
    id: `${at.getTime().toString(36)}-${String(seq).padStart(10, '0')}`,
    orderNo: 'P20230701120000aaaaaaaa',
    day: '2023-07-01',
    at,
    type: 'provider_call',
    action: 'query',
    outcome: 'ok',
    message: null,
    summary: '查询支付状态：SUCCESS',
    durationMs: 12,
    detail: {
      request: { out_trade_no: 'P20230701120000aaaaaaaa' },
      answer: { state: 'SUCCESS' },
      n: [1, { x: null }],
    },
    expiresAt: new Date(T0.getTime() + 180 * DAY_MS),
    ...over,
  };
};

export function paymentEventsContract(make: MakeRepositories) {
  describe('PaymentEvents', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });

    it('keeps each record as given; recording an id twice keeps the first', async () => {
      const e = anEvent();
      await repos.paymentEvents.record(e);
      await repos.paymentEvents.record({ ...e, outcome: 'provider_unavailable' });
      expect(await repos.paymentEvents.listByOrder(e.orderNo!, { limit: 10 })).toEqual([e]);
      expect(await repos.paymentEvents.listByOrder('P20230701120000bbbbbbbb', { limit: 10 })).toEqual([]);
    });

    it('lists an order newest first, a page at a time, ties at one instant by id, none lost or repeated', async () => {
      const same = new Date(T0.getTime() + 500_000);
      const events = [
        anEvent({ at: new Date(T0.getTime() + 1000) }),
        anEvent({ at: same, id: 'k-a' }),
        anEvent({ at: same, id: 'k-b' }),
        anEvent({ at: same, id: 'k-c' }),
        anEvent({ at: new Date(T0.getTime() + 900_000) }),
        anEvent({ orderNo: 'P20230701120000bbbbbbbb' }),
      ];
      for (const e of [...events].reverse()) await repos.paymentEvents.record(e);
      const mine = events.slice(0, 5).reverse(); // newest first
      const all = await repos.paymentEvents.listByOrder('P20230701120000aaaaaaaa', { limit: 10 });
      expect(all.map((e) => e.id)).toEqual(mine.map((e) => e.id));
      const seen: string[] = [];
      let before: { at: Date; id: string } | undefined;
      for (let i = 0; i < 5; i++) {
        const page = await repos.paymentEvents.listByOrder('P20230701120000aaaaaaaa', {
          limit: 2,
          ...(before ? { before } : {}),
        });
        if (page.length === 0) break;
        seen.push(...page.map((e) => e.id));
        const last = page.at(-1)!;
        before = { at: last.at, id: last.id };
      }
      expect(seen).toEqual(mine.map((e) => e.id));
      // A bound inside the tied instant: only the smaller ids of that instant, then the older ones.
      const afterB = await repos.paymentEvents.listByOrder('P20230701120000aaaaaaaa', {
        limit: 10,
        before: { at: same, id: 'k-b' },
      });
      expect(afterB.map((e) => e.id)).toEqual(['k-a', events[0]!.id]);
    });

    it('lists records that concern no order by their day, apart from any order', async () => {
      const forged = anEvent({ orderNo: null, day: '2023-07-02', type: 'notification', action: 'callback' });
      const other = anEvent({ orderNo: null, day: '2023-07-03', type: 'notification', action: 'notify' });
      await repos.paymentEvents.record(forged);
      await repos.paymentEvents.record(other);
      await repos.paymentEvents.record(anEvent({ day: '2023-07-02' }));
      expect(await repos.paymentEvents.listUnmatched('2023-07-02', { limit: 10 })).toEqual([forged]);
      expect(await repos.paymentEvents.listUnmatched('2023-07-03', { limit: 10 })).toEqual([other]);
      expect(await repos.paymentEvents.listUnmatched('2023-07-04', { limit: 10 })).toEqual([]);
    });

    it('purges what has expired, keeps the rest', async () => {
      const old = anEvent({ expiresAt: new Date(T0.getTime() + 60_000) });
      const kept = anEvent({ expiresAt: new Date(T0.getTime() + 30 * DAY_MS) });
      await repos.paymentEvents.record(old);
      await repos.paymentEvents.record(kept);
      await repos.paymentEvents.purge(new Date(T0.getTime() + DAY_MS));
      expect(await repos.paymentEvents.listByOrder(old.orderNo!, { limit: 10 })).toEqual([kept]);
    });
  });
}
