import { describe, expect, it } from 'bun:test';
import { MemoryPaymentEvents } from '../../src/adapters/memory/payment-events';
import { deferredPaymentEvents } from '../../src/app/deferred-events';
import type { PaymentEventRecord } from '../../src/domain/payment-events';
import type { PaymentEvents } from '../../src/domain/ports';

const T0 = new Date('2023-07-01T04:00:00Z');
let n = 0;
const anEvent = (): PaymentEventRecord => ({
  id: `e-${++n}`,
  orderNo: 'P20230701120000aaaaaaaa',
  day: '2023-07-01',
  at: new Date(T0.getTime() + n),
  type: 'provider_call',
  action: 'createPayment',
  outcome: 'ok',
  message: null,
  summary: '发起预支付：成功',
  durationMs: 3,
  detail: {},
  expiresAt: new Date(T0.getTime() + 86_400_000),
});

/** A store whose inserts wait until the test opens the gate (a slow database). */
function gatedStore() {
  const inner = new MemoryPaymentEvents();
  let open: () => void = () => {};
  let gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let started = 0;
  const store: PaymentEvents = {
    async record(e) {
      started++;
      await gate;
      if (e.outcome === 'fail') throw new Error('disk full');
      await inner.record(e);
    },
    listByOrder: (no, page) => inner.listByOrder(no, page),
    listUnmatched: (day, page) => inner.listUnmatched(day, page),
    purge: (now) => inner.purge(now),
  };
  return {
    store,
    started: () => started,
    open: () => open(),
    close: () => {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
  };
}

describe('deferred payment events', () => {
  it('answers before the insert is written; a read of this process waits for it', async () => {
    const g = gatedStore();
    const events = deferredPaymentEvents(g.store, () => {});
    const e = anEvent();
    await events.record(e); // returns although the database has not written it
    expect(g.started()).toBe(1);
    const read = events.listByOrder(e.orderNo!, { limit: 10 });
    let done = false;
    void read.then(() => {
      done = true;
    });
    await Bun.sleep(1);
    expect(done).toBe(false);
    g.open();
    expect(await read).toEqual([e]);
  });

  it('holds at most maxInFlight inserts: the next record waits for room', async () => {
    const g = gatedStore();
    const events = deferredPaymentEvents(g.store, () => {}, 2);
    await events.record(anEvent());
    await events.record(anEvent());
    let third = false;
    const pending = events.record(anEvent()).then(() => {
      third = true;
    });
    await Bun.sleep(1);
    expect([g.started(), third]).toEqual([2, false]);
    g.open();
    await pending;
    await events.drain();
    expect(g.started()).toBe(3);
    expect(await events.listByOrder('P20230701120000aaaaaaaa', { limit: 10 })).toHaveLength(3);
  });

  it('logs a failed insert and carries on', async () => {
    const g = gatedStore();
    const logs: string[] = [];
    const events = deferredPaymentEvents(g.store, (event) => logs.push(event));
    await events.record({ ...anEvent(), outcome: 'fail' });
    g.open();
    await events.drain();
    expect(logs).toEqual(['timeline.record_failed']);
  });
});
