import { hourOf } from '../domain/figures';
import type { FigureStore } from '../domain/ports';
import { backfillChecks, backfillOrderList, backfillPaymentClaims } from '../domain/usecases/backfill';
import { followRefundInFlight } from '../domain/usecases/check-order';
import { creditBaseline } from '../domain/usecases/dashboard';
import type { Deps } from '../domain/usecases/deps';
import { type SweepSettings, sweepOrders } from '../domain/usecases/reconcile';
import { type ShippingDeps, uploadDueShipping } from '../domain/usecases/shipping';
import { dueStatementDate, reconcileStatement, type StatementDeps } from '../domain/usecases/statement';

export interface SweeperOptions extends Omit<SweepSettings, 'followRefund'> {
  readonly intervalMs: number;
  /** Told of every run's tally (undefined when the run failed): the sweeper metrics. */
  readonly onRun?: (tally: Awaited<ReturnType<ReturnType<typeof sweepOrders>>> | undefined) => void;
}

/**
 * Runs the reconciliation sweeper every `intervalMs` (with jitter, so several instances spread out),
 * never two runs at once in one process. Overlap across instances is safe: every step is idempotent,
 * and the provider-call budget is shared through the database.
 */
export function startSweeper(deps: Deps, opts: SweeperOptions): () => Promise<void> {
  if (opts.intervalMs <= 0) return async () => {};
  const sweep = sweepOrders(deps, {
    callsPerMinute: opts.callsPerMinute,
    parallelism: opts.parallelism,
    maxChecks: opts.maxChecks,
    // Refunds in flight: the refund lifecycle's follow-up, one step per check of the order.
    followRefund: followRefundInFlight,
  });
  let running: Promise<unknown> | undefined = backfillChecks(deps)
    .then((queued) => queued > 0 && deps.log('sweeper.backfilled', { queued }))
    .catch((e) => deps.log('sweeper.backfill_failed', { error: e instanceof Error ? e.message : String(e) }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const schedule = () => {
    const jitter = Math.floor(opts.intervalMs * 0.2 * Math.random());
    timer = setTimeout(() => {
      running = sweep()
        .then((tally) => opts.onRun?.(tally))
        .catch((e) => {
          opts.onRun?.(undefined);
          deps.log('sweeper.failed', { error: e instanceof Error ? e.message : String(e) });
        })
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

/**
 * Claims the transactions of settlements from before payment claims, in the background, at every
 * start until one run has finished (backfill.ts); independent of the sweeper being on.
 */
export function startClaimsBackfill(deps: Deps): () => Promise<void> {
  let stopped = false;
  const running = backfillPaymentClaims(deps, () => stopped)
    .then((t) => (t.claimed + t.reused > 0 || !t.finished) && deps.log('settlements.claims_backfilled', t))
    .catch((e) =>
      deps.log('settlements.backfill_failed', { error: e instanceof Error ? e.message : String(e) }),
    );
  return async () => {
    stopped = true;
    await running;
  };
}

/**
 * Enters orders stored by an earlier version into the order store's listing directory, in the
 * background, at every start until one run has finished (backfill.ts `backfillOrderList`).
 */
export function startOrderListBackfill(deps: Deps): () => Promise<void> {
  let stopped = false;
  const running = backfillOrderList(deps, () => stopped)
    .then((t) => t && (t.entered + t.repaired > 0 || !t.finished) && deps.log('orders.hours_backfilled', t))
    .catch((e) => deps.log('orders.backfill_failed', { error: e instanceof Error ? e.message : String(e) }));
  return async () => {
    stopped = true;
    await running;
  };
}

/**
 * Enters records stored by an earlier version into a console list's index (alerts, reviews), in the
 * background; a run that ends unfinished (alerts still in delivery) is repeated every `retryMs`.
 * Logs `<list>.list_backfilled` when it entered something or is unfinished, `<list>.backfill_failed`.
 */
export function startListBackfill(
  list: 'alerts' | 'reviews',
  run:
    | ((stop: () => boolean) => Promise<{ readonly entered: number; readonly finished: boolean }>)
    | undefined,
  log: Deps['log'],
  retryMs = 10 * 60_000,
): () => Promise<void> {
  if (!run) return async () => {};
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const again = () => {
    if (!stopped) timer = setTimeout(start, retryMs);
  };
  const start = () => {
    running = run(() => stopped)
      .then((t) => {
        if (t.entered > 0 || !t.finished) log(`${list}.list_backfilled`, t);
        if (!t.finished) again();
      })
      .catch((e) => {
        log(`${list}.backfill_failed`, { error: e instanceof Error ? e.message : String(e) });
        again();
      });
  };
  start();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}

/**
 * Daily statement reconciliation. Every instance looks every `checkIntervalMs` (with jitter) whether
 * yesterday's report is due and missing, and runs it; a date with a report is one point read. Two
 * instances racing the same date both heal idempotently and only the first report insert counts.
 */
export function startStatementJob(
  deps: StatementDeps,
  opts: { readonly hour: number; readonly checkIntervalMs: number },
): () => Promise<void> {
  const run = reconcileStatement(deps);
  return repeat(opts.checkIntervalMs, () => {
    const date = dueStatementDate(deps.clock.now(), opts.hour);
    return (date ? run(date) : Promise.resolve()).catch((e) =>
      deps.log('statement.failed', { date, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}

/**
 * Shipping-info uploads (SHIPPING_UPLOAD=on): every instance works the shared queue every
 * `intervalMs` (with jitter); a task is claimed by one instance per minute, and the shipment record
 * makes each order's upload count once.
 */
export function startShippingJob(
  deps: Deps,
  shipping: ShippingDeps,
  opts: { readonly intervalMs: number; readonly onRun?: (tally: Record<string, number>) => void },
): () => Promise<void> {
  const run = uploadDueShipping(deps, shipping);
  return repeat(opts.intervalMs, () =>
    run()
      .then((tally) => opts.onRun?.(tally))
      .catch((e) => deps.log('shipping.failed', { error: e instanceof Error ? e.message : String(e) })),
  );
}

/**
 * Keeps the shared access_token fresh off the request path (brief §3 "refresh proactively"): each
 * instance asks every `intervalMs`; only the one that wins the lease calls WeChat.
 */
export function startTokenKeeper(
  tokens: { get(): Promise<string> },
  intervalMs: number,
  log: Deps['log'],
): () => Promise<void> {
  return repeat(intervalMs, () =>
    tokens
      .get()
      .catch((e) => log('wechat.token_unavailable', { error: e instanceof Error ? e.message : String(e) })),
  );
}

/** Runs `task` every `intervalMs` plus up to 20 % jitter, never twice at once; 0 = never. Returns stop. */
export function repeat(intervalMs: number, task: () => Promise<unknown>): () => Promise<void> {
  if (intervalMs <= 0) return async () => {};
  let running: Promise<unknown> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const schedule = () => {
    const jitter = Math.floor(intervalMs * 0.2 * Math.random());
    timer = setTimeout(() => {
      running = task().finally(() => {
        running = undefined;
        if (!stopped) schedule();
      });
    }, intervalMs + jitter);
  };
  schedule();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}

/**
 * The console dashboard's first credit snapshot (usecases/dashboard.ts `creditBaseline`): through the
 * hour after this process started, so every ledger entry after it was stored with its hour. Looks
 * every `checkIntervalMs` until a snapshot exists (this instance's or another's), then stops.
 */
export function startCreditBaselineJob(
  deps: Deps & { readonly figureStore: FigureStore },
  opts: { readonly checkIntervalMs: number },
): () => Promise<void> {
  const throughHour = hourOf(deps.clock.now()) + 1;
  const build = creditBaseline(deps);
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (running) return;
    running = build(throughHour)
      .then((snapshot) => {
        if (!snapshot) return;
        stopped = true;
        clearInterval(timer);
      })
      .catch((e) =>
        deps.log('dashboard.baseline_failed', { error: e instanceof Error ? e.message : String(e) }),
      )
      .finally(() => {
        running = undefined;
      });
  }, opts.checkIntervalMs);
  return async () => {
    if (!stopped) clearInterval(timer);
    await running;
  };
}
