import { beforeEach, describe, expect, it } from 'bun:test';
import {
  ALERT_STATES,
  type Alert,
  type AlertState,
  newStoredAlert,
  type StoredAlert,
} from '../../src/domain/alert';
import { T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

const MINUTE = 60_000;

export const anAlert = (over: Partial<Alert> = {}): Alert => ({
  kind: 'second_payment',
  key: '1:4200b',
  severity: 'critical',
  title: '订单 P1 重复支付',
  text: '请退款',
  facts: { order_id: 1, settled_payment: '4200a', second: null, refundable: true },
  ...over,
});

const stored = (over: Partial<Alert> = {}, at = T0): StoredAlert => newStoredAlert(anAlert(over), at, true);

export function alertOutboxContract(make: MakeRepositories) {
  describe('AlertOutbox', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
      // A new store holds no alert of an earlier version: its list's directory is complete at once.
      const backfill = await repos.alertOutbox.backfillList?.(() => false);
      if (backfill) expect(backfill).toEqual({ entered: 0, waiting: 0, finished: true });
    });

    it('stores an alert once per kind, key and hour; later adds are refused and change nothing', async () => {
      const first = stored();
      expect(await repos.alertOutbox.add(first)).toBe(true);
      expect(
        await repos.alertOutbox.add({
          ...stored({ title: 'other' }),
          raisedAt: new Date(T0.getTime() + 1000),
        }),
      ).toBe(false);
      expect(await repos.alertOutbox.find(first.id)).toEqual(first);
      // Another hour, or another key, is another alert.
      expect(await repos.alertOutbox.add(stored({}, new Date(T0.getTime() + 60 * MINUTE)))).toBe(true);
      expect(await repos.alertOutbox.add(stored({ key: '1:4200c' }))).toBe(true);
      expect(await repos.alertOutbox.find('nope')).toBeNull();
    });

    it('lets exactly one of 10 concurrent adds of the same alert store it', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, () => repos.alertOutbox.add(stored())));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('lists by state oldest first (bounded) and all newest first by page', async () => {
      const at = (m: number) => new Date(T0.getTime() + m * MINUTE);
      for (const m of [3, 1, 2]) await repos.alertOutbox.add(stored({ key: `k${m}` }, at(m)));
      await repos.alertOutbox.project(stored({ key: 'k2' }, at(2)).id, {
        state: 'sent',
        sentAt: at(5),
        attempts: 1,
      });
      const pending = await repos.alertOutbox.listByState('pending', 10);
      expect(pending.map((a) => a.key)).toEqual(['k1', 'k3']);
      expect((await repos.alertOutbox.listByState('pending', 1)).map((a) => a.key)).toEqual(['k1']);
      expect((await repos.alertOutbox.listByState('sent', 10)).map((a) => a.key)).toEqual(['k2']);
      const all = await repos.alertOutbox.list({}, { skip: 0, limit: 10 });
      expect(all.map((a) => a.key)).toEqual(['k3', 'k2', 'k1']);
      expect((await repos.alertOutbox.list({}, { skip: 1, limit: 1 })).map((a) => a.key)).toEqual(['k2']);
      expect(
        (await repos.alertOutbox.list({ state: 'pending' }, { skip: 0, limit: 10 })).map((a) => a.key),
      ).toEqual(['k3', 'k1']);
    });

    // The Mongo store lists hour by hour (hour-directory.ts): across days, hours, equal timestamps,
    // every state an alert goes through and every page, it must read as one newest-first sort.
    it('pages every state across days and hours as one newest-first sort would', async () => {
      const HOUR = 60 * MINUTE;
      const paths: AlertState[][] = [[], ['sent'], ['suppressed', 'summarized'], ['failed'], ['suppressed']];
      const made: StoredAlert[] = [];
      for (let i = 0; i < 40; i++) {
        // Hours 0..~70 apart with gaps, several alerts raised at one instant.
        const at = new Date(T0.getTime() + ((i * 7) % 71) * HOUR + (i % 3 === 0 ? 0 : (i % 5) * MINUTE));
        const alert = newStoredAlert(anAlert({ key: `k${100 + i}` }), at, i % 6 !== 5);
        await repos.alertOutbox.add(alert);
        let state = alert.state;
        for (const next of alert.state === 'logged' ? [] : (paths[i % paths.length] ?? [])) {
          await repos.alertOutbox.project(alert.id, { state: next });
          state = next;
        }
        made.push({ ...alert, state });
      }
      const expected = (state?: AlertState) =>
        made
          .filter((a) => state === undefined || a.state === state)
          .sort((a, b) => b.raisedAt.getTime() - a.raisedAt.getTime() || (a.id < b.id ? 1 : -1))
          .map((a) => a.id);
      expect(new Set(made.map((a) => a.state))).toEqual(new Set(ALERT_STATES));
      for (const state of [undefined, ...ALERT_STATES])
        for (const [skip, limit] of [
          [0, 7],
          [5, 7],
          [17, 4],
          [38, 10],
          [0, 100],
        ] as const) {
          const got = (await repos.alertOutbox.list(state ? { state } : {}, { skip, limit })).map(
            (a) => a.id,
          );
          expect({ state, skip, got }).toEqual({
            state,
            skip,
            got: expected(state).slice(skip, skip + limit),
          });
        }
    });

    it('projects the delivery state field by field', async () => {
      const a = stored();
      await repos.alertOutbox.add(a);
      const next = new Date(T0.getTime() + 2 * MINUTE);
      await repos.alertOutbox.project(a.id, { attempts: 2, lastError: 'HTTP 500', nextAttemptAt: next });
      await repos.alertOutbox.project(a.id, { state: 'summarized', summaryId: 'alerts_suppressed:1:1' });
      expect(await repos.alertOutbox.find(a.id)).toEqual({
        ...a,
        attempts: 2,
        lastError: 'HTTP 500',
        nextAttemptAt: next,
        state: 'summarized',
        summaryId: 'alerts_suppressed:1:1',
      });
      await repos.alertOutbox.project('missing', { state: 'sent' }); // harmless
    });

    it('gives the delivery of a minute to one claimer and keeps each outcome once', async () => {
      const a = stored();
      await repos.alertOutbox.add(a);
      const claims = await Promise.all(
        Array.from({ length: 8 }, () => repos.alertOutbox.claim(a.id, 100, T0)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await repos.alertOutbox.claim(a.id, 101, T0)).toBe(true);
      await repos.alertOutbox.record({
        alertId: a.id,
        minute: 100,
        stage: 'failed',
        at: T0,
        error: 'HTTP 500',
      });
      await repos.alertOutbox.record({ alertId: a.id, minute: 100, stage: 'failed', at: T0, error: 'again' });
      await repos.alertOutbox.record({ alertId: a.id, minute: 101, stage: 'sent', at: T0, error: null });
      const history = await repos.alertOutbox.attempts(a.id);
      const key = (x: { minute: number; stage: string }) => `${x.minute}:${x.stage}`;
      expect(history.map(key).sort()).toEqual(['100:claim', '100:failed', '101:claim', '101:sent']);
      expect(history.find((x) => x.stage === 'failed')).toEqual({
        alertId: a.id,
        minute: 100,
        stage: 'failed',
        at: T0,
        error: 'HTTP 500',
      });
      expect(await repos.alertOutbox.attempts('other')).toEqual([]);
    });

    it('purges alerts raised, and delivery records made, before a time; repeating it changes nothing', async () => {
      const DAY = 1440 * MINUTE;
      const old = stored({ key: 'old' });
      const recent = stored({ key: 'recent' }, new Date(T0.getTime() + 30 * DAY));
      await repos.alertOutbox.add(old);
      await repos.alertOutbox.add(recent);
      await repos.alertOutbox.claim(old.id, 1, T0);
      await repos.alertOutbox.record({ alertId: old.id, minute: 1, stage: 'sent', at: T0, error: null });
      await repos.alertOutbox.claim(recent.id, 2, recent.raisedAt);
      const before = new Date(T0.getTime() + 10 * DAY);
      await repos.alertOutbox.purge(before);
      await repos.alertOutbox.purge(before);
      expect(await repos.alertOutbox.find(old.id)).toBeNull();
      expect(await repos.alertOutbox.attempts(old.id)).toEqual([]);
      expect(await repos.alertOutbox.find(recent.id)).toEqual(recent);
      expect((await repos.alertOutbox.attempts(recent.id)).map((a) => a.stage)).toEqual(['claim']);
      expect((await repos.alertOutbox.list({}, { skip: 0, limit: 10 })).map((a) => a.key)).toEqual([
        'recent',
      ]);
    });
  });
}
