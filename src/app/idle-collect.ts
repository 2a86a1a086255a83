// One full garbage collection when the API goes quiet after a burst of requests. Under load
// JavaScriptCore grows its heap and keeps the pages until it needs them again (200+ MB resident at
// the end of the scale benchmark's wrk runs, against 140–150 MB before them); a full collection hands
// them back. It starts only when no request is in flight and none finished since the previous check
// (a request arriving during its 40–80 ms pause waits that long), and only when the process grew by
// 16 MB since the last one, so a trickle of requests does not make it collect after each. Requests
// more often than the interval (a health probe every 500 ms) keep it from running at all.

import { repeat } from './jobs';

/** Growth of the resident size since the last collection that makes one worth its pause (40–80 ms). */
const WORTH_COLLECTING_BYTES = 16 * 2 ** 20;

interface IdleCollectionOptions {
  /** Requests finished so far (any counter that only grows). */
  readonly served: () => Promise<number>;
  readonly inFlight: () => number;
  readonly collect: () => void;
  readonly rss?: () => number;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

/** One check: collects when quiet since the previous check and grown enough since the last collection. */
export function idleCollector(opts: IdleCollectionOptions): () => Promise<boolean> {
  const rss = opts.rss ?? (() => process.memoryUsage.rss());
  let seen: number | undefined;
  let rssAfterLast = rss();
  return async () => {
    const served = await opts.served();
    const quiet = served === seen && opts.inFlight() === 0;
    seen = served;
    const before = rss();
    // The allocator may hand pages back a while after a collection: measure growth from the lowest.
    rssAfterLast = Math.min(rssAfterLast, before);
    if (!quiet || before - rssAfterLast < WORTH_COLLECTING_BYTES) return false;
    const started = performance.now();
    opts.collect();
    rssAfterLast = rss();
    opts.log('api.idle_gc', {
      ms: Math.round(performance.now() - started),
      rss_mb_before: Math.round(before / 2 ** 20),
      rss_mb_after: Math.round(rssAfterLast / 2 ** 20),
    });
    return true;
  };
}

/** Checks every `intervalMs` (through `repeat`: never two at once; 0 = never); returns the stop function. */
export function startIdleCollection(
  opts: IdleCollectionOptions & { readonly intervalMs: number },
): () => Promise<void> {
  const check = idleCollector(opts);
  let failed = false;
  return repeat(opts.intervalMs, () =>
    check().then(
      () => {
        failed = false;
      },
      (e: unknown) => {
        // Only memory is at stake: the next check tries again. Said once per run of failures.
        if (!failed) opts.log('api.idle_gc_failed', { error: e instanceof Error ? e.message : String(e) });
        failed = true;
      },
    ),
  );
}
