import { describe, expect, it } from 'bun:test';
import { MemoryAlertOutbox } from '../../src/adapters/memory/alerts';
import { startAlertListBackfill } from '../../src/app/jobs';

/** An outbox whose backfill finds alerts still in delivery for the first `waitingRuns` runs. */
function outboxWaiting(waitingRuns: number) {
  const outbox = new MemoryAlertOutbox();
  const runs: number[] = [];
  const backfillList = async () => {
    runs.push(Date.now());
    const waiting = runs.length <= waitingRuns ? 2 : 0;
    return { entered: runs.length === 1 ? 5 : 0, waiting, finished: waiting === 0 };
  };
  return { alertOutbox: Object.assign(outbox, { backfillList }), runs };
}

describe('the alert list backfill job', () => {
  it('runs again while alerts of an earlier version are still in delivery, then stops', async () => {
    const { alertOutbox, runs } = outboxWaiting(2);
    const logged: [string, unknown][] = [];
    const stop = startAlertListBackfill(
      { alertOutbox, log: (event, fields) => logged.push([event, fields]) },
      5,
    );
    // Timers run late on a busy machine: wait for the third run (or 10 s), not a fixed time.
    for (let waited = 0; runs.length < 3 && waited < 10_000; waited += 10) await Bun.sleep(10);
    await Bun.sleep(30); // a fourth run, were one due, would have started by now
    await stop();
    expect(runs).toHaveLength(3);
    expect(logged).toEqual([
      ['alerts.list_backfilled', { entered: 5, waiting: 2, finished: false }],
      ['alerts.list_backfilled', { entered: 0, waiting: 2, finished: false }],
    ]);
  });

  it('is not run again once stopped', async () => {
    const { alertOutbox, runs } = outboxWaiting(1_000);
    const stop = startAlertListBackfill({ alertOutbox, log: () => {} }, 20);
    await Bun.sleep(5);
    await stop();
    const seen = runs.length;
    await Bun.sleep(60);
    expect(runs.length).toBe(seen);
    expect(seen).toBeLessThanOrEqual(1);
  });

  it('does nothing for a store without a backfill', async () => {
    await startAlertListBackfill({ alertOutbox: new MemoryAlertOutbox(), log: () => {} })();
  });
});
