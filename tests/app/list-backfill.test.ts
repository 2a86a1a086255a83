import { describe, expect, it } from 'bun:test';
import { startListBackfill } from '../../src/app/jobs';

/** A backfill that finds alerts still in delivery for its first `waitingRuns` runs. */
function waitingFor(waitingRuns: number) {
  const runs: number[] = [];
  const run = async () => {
    runs.push(Date.now());
    const waiting = runs.length <= waitingRuns ? 2 : 0;
    return { entered: runs.length === 1 ? 5 : 0, waiting, finished: waiting === 0 };
  };
  return { run, runs };
}

describe('the list backfill job', () => {
  it('runs again while records of an earlier version are still in delivery, then stops', async () => {
    const { run, runs } = waitingFor(2);
    const logged: [string, unknown][] = [];
    const stop = startListBackfill('alerts', run, (event, fields) => logged.push([event, fields]), 5);
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
    const { run, runs } = waitingFor(1_000);
    const stop = startListBackfill('reviews', run, () => {}, 20);
    await Bun.sleep(5);
    await stop();
    const seen = runs.length;
    await Bun.sleep(60);
    expect(runs.length).toBe(seen);
    expect(seen).toBeLessThanOrEqual(1);
  });

  it('logs a failed run and tries again', async () => {
    let calls = 0;
    const logged: string[] = [];
    const run = async () => {
      if (++calls === 1) throw new Error('database gone');
      return { entered: 0, finished: true };
    };
    const stop = startListBackfill('reviews', run, (event) => logged.push(event), 5);
    for (let waited = 0; calls < 2 && waited < 10_000; waited += 10) await Bun.sleep(10);
    await stop();
    expect(calls).toBe(2);
    expect(logged).toEqual(['reviews.backfill_failed']);
  });

  it('does nothing for a store without a backfill', async () => {
    await startListBackfill('alerts', undefined, () => {})();
  });
});
