import { describe, expect, it } from 'bun:test';
import { MongoAlertOutbox } from '../../src/adapters/mongo/alerts';
import { type AlertState, newStoredAlert, type StoredAlert } from '../../src/domain/alert';
import { hourOf } from '../../src/domain/figures';
import { anAlert } from '../contract/alert-outbox.contract';
import { T0 } from '../support/builders';
import { processesOverOneDatabase } from '../support/processes';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FILTERS: (AlertState | undefined)[] = [undefined, 'sent', 'logged', 'pending', 'failed'];

/**
 * The alert list reads the Mongo store hour by hour through a directory (hour-directory.ts). Alerts
 * stored by an earlier version have neither `raised_hour` nor entries: until the backfill has entered
 * them all the list must still show them, and afterwards it must read by hour.
 */
describe('Mongo alert list by hour, over alerts stored before the directory (FerretDB unless TEST_MONGODB_URI)', () => {
  const store = processesOverOneDatabase('alert_hours', (conn) => new MongoAlertOutbox(conn));
  const ids = async (outbox: MongoAlertOutbox, state?: AlertState) =>
    (await outbox.list(state ? { state } : {}, { skip: 0, limit: 100 })).map((a) => a.id);
  const asStoredBefore = async () => {
    const db = store.db();
    await db.collection('alerts').updateMany({}, { $unset: { raised_hour: '' } });
    await db.collection('alert_hours').deleteMany({});
    await db.collection('alert_days').deleteMany({});
  };

  it('lists old alerts before and during the backfill, waits for those in delivery, then reads by hour', async () => {
    const writer = await store.open();
    const made: StoredAlert[] = [];
    for (let i = 0; i < 10; i++) {
      const alert = newStoredAlert(
        anAlert({ key: `old${i}` }),
        new Date(T0.getTime() + i * 7 * HOUR),
        i !== 9,
      );
      await writer.add(alert);
      made.push(alert);
    }
    for (const a of made.slice(0, 6)) await writer.project(a.id, { state: 'sent' });
    await writer.project(made[6]!.id, { state: 'failed' });
    // made[7], made[8]: still pending, in delivery; made[9]: logged (no webhook).
    const expected = new Map(await Promise.all(FILTERS.map(async (s) => [s, await ids(writer, s)] as const)));
    expect(expected.get(undefined)).toHaveLength(10);
    expect(expected.get('pending')).toHaveLength(2);
    await asStoredBefore();

    const upgraded = await store.open();
    const listsAsBefore = async (outbox: MongoAlertOutbox) => {
      for (const s of FILTERS)
        expect({ s, got: await ids(outbox, s) }).toEqual({ s, got: expected.get(s) ?? [] });
    };
    await listsAsBefore(upgraded);
    let asked = 0;
    const stopped = await upgraded.backfillList(() => ++asked > 3);
    expect(stopped.finished).toBe(false);
    expect(stopped.entered + stopped.waiting).toBe(3);
    await listsAsBefore(upgraded);
    // The two in delivery are left to it: their next write could be undone by a rewrite here.
    expect(await upgraded.backfillList(() => false)).toEqual({
      entered: 8 - stopped.entered,
      waiting: 2,
      finished: false,
    });
    await listsAsBefore(upgraded);
    // Their delivery ends: its projection writes their hour and enters them.
    await upgraded.project(made[7]!.id, { state: 'sent', attempts: 1 });
    await upgraded.project(made[8]!.id, { state: 'failed', attempts: 28 });
    expected.set('sent', [made[7]!.id, ...(expected.get('sent') ?? [])]);
    expected.set('failed', [made[8]!.id, ...(expected.get('failed') ?? [])]);
    expected.set('pending', []);
    expect(await upgraded.backfillList(() => false)).toEqual({ entered: 0, waiting: 0, finished: true });
    for (const doc of await store.db().collection('alerts').find({}).toArray())
      expect(doc.raised_hour).toBe(hourOf(doc.raised_at as Date));

    // A new process reads by hour: every read of alerts is an equality on one hour (or on a state
    // an alert leaves within minutes).
    const { started } = await store.watched(async (outbox) => listsAsBefore(outbox));
    const finds = started('find').filter((c) => c.find === 'alerts');
    expect(finds.length).toBeGreaterThan(0);
    for (const c of finds) {
      const filter = c.filter as { raised_hour?: unknown; state?: unknown };
      expect(typeof filter.raised_hour === 'number' || filter.state === 'pending').toBe(true);
    }
  });

  it('enters alerts still pending at once when no webhook delivers them (nothing else writes them)', async () => {
    await store.db().collection('alerts').deleteMany({});
    const writer = await store.open();
    const pending = newStoredAlert(anAlert({ key: 'undelivered' }), new Date(T0.getTime() + 3 * HOUR), true);
    await writer.add(pending);
    await asStoredBefore();
    const upgraded = await store.open();
    expect(await upgraded.backfillList(() => false)).toEqual({ entered: 0, waiting: 1, finished: false });
    expect(await upgraded.backfillList(() => false, { delivering: false })).toEqual({
      entered: 1,
      waiting: 0,
      finished: true,
    });
    expect(await ids(await store.open())).toEqual([pending.id]);
    expect(await ids(await store.open(), 'pending')).toEqual([pending.id]);
  });

  it('forgets purged days, keeps days that still hold alerts, and lists what is left', async () => {
    await asStoredBefore();
    await store.db().collection('alerts').deleteMany({});
    const outbox = await store.open();
    expect(await outbox.backfillList(() => false)).toMatchObject({ finished: true });
    const at = (days: number) => new Date(T0.getTime() + days * DAY);
    const old = newStoredAlert(anAlert({ key: 'purged' }), at(0), false);
    const lagging = newStoredAlert(anAlert({ key: 'lagging' }), at(5), false);
    const recent = newStoredAlert(anAlert({ key: 'recent' }), at(40), false);
    for (const a of [old, lagging, recent]) await outbox.add(a);
    const db = store.db();
    const days = async () => (await db.collection('alert_days').find({}).toArray()).map((d) => String(d._id));
    const dayOf = (a: StoredAlert) => `all:${Math.floor(hourOf(a.raisedAt) / 24)}`;
    await outbox.purge(at(1));
    expect(await days()).not.toContain(dayOf(old));
    expect(await ids(outbox)).toEqual([recent.id, lagging.id]);
    // A purge works off its backlog a few hours per pass: day 5 is not reached yet, so its day stays.
    await outbox.purge(at(30));
    expect(await days()).toContain(dayOf(lagging));
    expect(await ids(outbox)).toEqual([recent.id, lagging.id]);
    // Once its alerts are deleted (as a later pass does), the day is forgotten.
    await db.collection('alerts').deleteOne({ _id: lagging.id as never });
    await outbox.purge(at(30));
    expect(await days()).not.toContain(dayOf(lagging));
    expect(await days()).toContain(dayOf(recent));
    expect(await ids(outbox)).toEqual([recent.id]);
  });
});
