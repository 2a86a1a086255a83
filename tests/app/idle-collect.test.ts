import { describe, expect, it } from 'bun:test';
import { idleCollector } from '../../src/app/idle-collect';

const MB = 2 ** 20;

/** A process whose counters the test moves by hand; `collect` brings the resident size back down. */
function aProcess() {
  const state = { served: 0, inFlight: 0, rss: 100 * MB, collections: 0 };
  const logged: Record<string, unknown>[] = [];
  const check = idleCollector({
    served: async () => state.served,
    inFlight: () => state.inFlight,
    rss: () => state.rss,
    collect: () => {
      state.collections++;
      state.rss = 110 * MB;
    },
    log: (_event, fields) => logged.push(fields),
  });
  return { state, logged, check };
}

describe('idle collection', () => {
  it('collects once after a burst, when the next check finds nothing served and nothing in flight', async () => {
    const { state, logged, check } = aProcess();
    state.served = 5000;
    state.rss = 200 * MB;
    expect(await check()).toBe(false); // requests finished since the last look: busy
    state.served = 5001;
    expect(await check()).toBe(false);
    expect(await check()).toBe(true);
    expect(logged).toEqual([{ ms: expect.any(Number), rss_mb_before: 200, rss_mb_after: 110 }]);
    expect(await check()).toBe(false); // nothing grew since: no second collection
    expect(state.collections).toBe(1);
  });

  it('never collects while a request is in flight', async () => {
    const { state, check } = aProcess();
    state.rss = 300 * MB;
    state.inFlight = 1;
    expect(await check()).toBe(false);
    expect(await check()).toBe(false);
    state.inFlight = 0;
    expect(await check()).toBe(true);
  });

  it('measures growth from the lowest size seen since, as the allocator hands pages back late', async () => {
    const { state, check } = aProcess();
    state.rss = 200 * MB;
    await check();
    expect(await check()).toBe(true); // leaves 110 MB...
    state.rss = 60 * MB; // ...and the pages come back to the system later
    expect(await check()).toBe(false);
    state.rss = 80 * MB; // a burst as big as the first, from 60 MB
    expect(await check()).toBe(true);
  });

  it('leaves a process that grew less than 16 MB since the last collection alone', async () => {
    const { state, check } = aProcess();
    state.rss = 115 * MB;
    await check();
    expect(await check()).toBe(false);
    state.rss = 116 * MB + 1;
    expect(await check()).toBe(true);
    state.rss = 125 * MB; // 15 MB over the 110 MB the collection left
    expect(await check()).toBe(false);
    expect(state.collections).toBe(1);
  });
});
