import type { Deps } from '../domain/usecases/deps';
import { sweepOrders } from '../domain/usecases/reconcile';

/**
 * Runs the reconciliation sweeper every `intervalMs` (with jitter, so several instances spread out),
 * never two runs at once in one process. Overlap across instances is safe: every step is idempotent.
 */
export function startSweeper(
  deps: Deps,
  opts: { intervalMs: number; queryAfterMs: number },
): () => Promise<void> {
  if (opts.intervalMs <= 0) return async () => {};
  const sweep = sweepOrders(deps, opts.queryAfterMs);
  let running: Promise<unknown> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const schedule = () => {
    const jitter = Math.floor(opts.intervalMs * 0.2 * Math.random());
    timer = setTimeout(() => {
      running = sweep()
        .catch((e) => deps.log('sweeper.failed', { error: e instanceof Error ? e.message : String(e) }))
        .finally(() => {
          running = undefined;
          if (!stopped) schedule();
        });
    }, opts.intervalMs + jitter);
  };
  schedule();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}
