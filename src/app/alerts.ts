import type { Alert } from '../domain/alert';
import type { Alerts, Reviews } from '../domain/ports';
import { type NewReview, reviewId } from '../domain/review';
import { dailyAudit, type WatchSettings, watchForAlerts } from '../domain/usecases/alert-watch';
import { type AlertDeps, type DeliverySettings, deliverAlerts, recordAlert } from '../domain/usecases/alerts';
import type { Deps } from '../domain/usecases/deps';
import { repeat } from './jobs';
import type { Metrics } from './metrics/registry';

export interface AlertService extends Alerts {
  /** Runs a delivery pass now (or right after the one running); resolves when that pass is done. */
  deliver(): Promise<void>;
  /** Resolves once every alert raised so far is recorded and the passes they started are done (tests, shutdown). */
  idle(): Promise<void>;
}

/**
 * The Alerts port over the outbox: `raise` records the alert in the background (errors are logged,
 * never thrown at the caller) and starts a delivery pass, so a payment request waits for neither
 * the database write nor the webhook. Passes never overlap within a process.
 */
export function alertService(
  deps: AlertDeps,
  settings: DeliverySettings,
  metrics?: Pick<
    Metrics,
    'alertsRaised' | 'alertsDeduplicated' | 'alertsSent' | 'alertsFailed' | 'alertsSuppressed'
  >,
): AlertService {
  const record = recordAlert(deps);
  const pass = deliverAlerts(deps, settings);
  const inFlight = new Set<Promise<unknown>>();
  let running: Promise<void> | undefined;
  let again = false;
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };
  const runPass = async (): Promise<void> => {
    do {
      again = false;
      try {
        const tally = await pass();
        for (const a of tally.sent) metrics?.alertsSent.inc({ kind: a.kind });
        for (const a of [...tally.failed, ...tally.gaveUp]) metrics?.alertsFailed.inc({ kind: a.kind });
        for (const a of tally.suppressed) metrics?.alertsSuppressed.inc({ kind: a.kind });
      } catch (e) {
        deps.log('alert.delivery_pass_failed', { error: e instanceof Error ? e.message : String(e) });
      }
    } while (again);
  };
  const deliver = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = track(runPass().finally(() => (running = undefined)));
    return running;
  };
  return {
    raise(alert: Alert) {
      void track(
        record(alert)
          .then((stored) => {
            if (!stored) {
              metrics?.alertsDeduplicated.inc({ kind: alert.kind });
              return;
            }
            metrics?.alertsRaised.inc({ kind: stored.kind });
            if (deps.alertChannel) void deliver();
          })
          .catch((e) =>
            deps.log('alert.record_failed', {
              kind: alert.kind,
              key: alert.key,
              error: e instanceof Error ? e.message : String(e),
            }),
          ),
      );
    },
    deliver,
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

export interface AlertJobOptions extends WatchSettings {
  readonly intervalMs: number;
  /** Beijing hour of the daily integrity audit; null = not scheduled. */
  readonly auditHour: number | null;
}

/**
 * Every `intervalMs` (with jitter): a delivery pass (retries, summaries, a crashed instance's
 * alerts), the watchers (paid-not-completed orders, the review queue) and, once a day, the audit.
 */
export function startAlertJobs(
  deps: Deps,
  service: AlertService,
  opts: AlertJobOptions,
): () => Promise<void> {
  if (opts.intervalMs <= 0) return () => service.idle();
  const withAlerts = { ...deps, alerts: service };
  const watch = watchForAlerts(withAlerts, opts);
  // A stop ends a daily audit in progress at its next record instead of waiting for the whole scan.
  let stopping = false;
  const audit = opts.auditHour === null ? undefined : dailyAudit(withAlerts, opts.auditHour, () => stopping);
  const step = async (name: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      deps.log(`alert.${name}_failed`, { error: e instanceof Error ? e.message : String(e) });
    }
  };
  const stop = repeat(opts.intervalMs, async () => {
    await step('watch', watch);
    if (audit) await step('audit', audit);
    await service.deliver();
  });
  return async () => {
    stopping = true;
    await stop();
    await service.idle();
  };
}

/**
 * `Reviews` that tell `onOpened` (in the background, errors logged) about each review the first time
 * it is opened: the review-queue alert without a timer scanning the reviews.
 */
export function alertingReviews(
  reviews: Reviews,
  onOpened: (review: NewReview) => Promise<void>,
  log: Deps['log'],
): Reviews {
  return {
    list: (filter, page) => reviews.list(filter, page),
    find: (id) => reviews.find(id),
    resolve: (id, note, at) => reviews.resolve(id, note, at),
    scan: () => reviews.scan(),
    ...(reviews.backfillList && { backfillList: reviews.backfillList.bind(reviews) }),
    async open(review) {
      const existed = await reviews.find(reviewId(review.orderId, review.reason));
      await reviews.open(review);
      if (!existed)
        void onOpened(review).catch((e) =>
          log('alert.review_watch_failed', { error: e instanceof Error ? e.message : String(e) }),
        );
    },
  };
}
