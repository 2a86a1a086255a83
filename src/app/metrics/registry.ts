import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from 'prom-client';
import { HttpStats } from './http-stats';

/** Seconds; a cached catalog answer is well under a millisecond, a provider call up to its timeout. */
export const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const PROVIDER_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Every metric of one API process, on a registry of its own (several apps in one test process must
 * not share counters). Names follow Prometheus conventions: `_total` counters, `_seconds` histograms.
 */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  const registers = [registry];
  const startedAt = Date.now();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const m = {
    registry,
    // Registered below as plain collectors: these two are touched by every request (http-stats.ts).
    http: new HttpStats(HTTP_BUCKETS),
    ordersCreated: new Counter({ name: 'orders_created_total', help: 'Orders created', registers }),
    orderStatus: new Counter({
      name: 'order_status_reached_total',
      help: 'Orders that reached a status (paid, completed, cancelled, refunded), each once: counted by the process whose insert-unique status record won',
      labelNames: ['status'] as const,
      registers,
    }),
    notifications: new Counter({
      name: 'payment_notifications_total',
      help: 'Provider callbacks and notifications by route, outcome (accepted/rejected) and rejection reason',
      labelNames: ['route', 'outcome', 'reason'] as const,
      registers,
    }),
    providerCalls: new Counter({
      name: 'provider_calls_total',
      help: 'Payment provider calls by operation and result (ok or the error kind)',
      labelNames: ['operation', 'result'] as const,
      registers,
    }),
    providerDuration: new Histogram({
      name: 'provider_call_duration_seconds',
      help: 'Payment provider call latency by operation',
      labelNames: ['operation'] as const,
      buckets: PROVIDER_BUCKETS,
      registers,
    }),
    ledgerConflicts: new Counter({
      name: 'ledger_insert_conflicts_total',
      help: 'Ledger inserts that lost a unique-key race (seq or idempotency key) and were retried or answered by the winner',
      registers,
    }),
    sweeperRuns: new Counter({
      name: 'sweeper_runs_total',
      help: 'Reconciliation sweeper runs by result',
      labelNames: ['result'] as const,
      registers,
    }),
    sweeperChecks: new Counter({
      name: 'sweeper_checks_total',
      help: 'Orders checked by the sweeper, by verdict',
      labelNames: ['verdict'] as const,
      registers,
    }),
    refunds: new Counter({
      name: 'refunds_total',
      help: 'Refund attempts that reached a state (requested, processing, succeeded, closed, abnormal, failed), each once',
      labelNames: ['state'] as const,
      registers,
    }),
    statementRuns: new Counter({
      name: 'statement_runs_total',
      help: 'Daily statement reconciliations stored (clean or with differences) or failed',
      labelNames: ['result'] as const,
      registers,
    }),
    statementDifferences: new Counter({
      name: 'statement_differences_total',
      help: 'Differences found by statement reconciliation, by kind (missing_here, missing_there, amount_mismatch, refund_…)',
      labelNames: ['kind'] as const,
      registers,
    }),
    shippingUploads: new Counter({
      name: 'shipping_uploads_total',
      help: 'upload_shipping_info calls by result (uploaded, already_shipped, retry, rejected, exception)',
      labelNames: ['result'] as const,
      registers,
    }),
    alertsRaised: new Counter({
      name: 'alerts_raised_total',
      help: 'Alerts recorded, by kind (a repeat of one already raised in the hour is not counted)',
      labelNames: ['kind'] as const,
      registers,
    }),
    alertsDeduplicated: new Counter({
      name: 'alerts_deduplicated_total',
      help: 'Alerts raised again within their hour (by a repeat or another instance): nothing new recorded or sent',
      labelNames: ['kind'] as const,
      registers,
    }),
    alertsSent: new Counter({
      name: 'alerts_sent_total',
      help: 'Alerts the webhook accepted, by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
    alertsFailed: new Counter({
      name: 'alerts_failed_total',
      help: 'Alert deliveries that failed (network error, non-2xx, errcode != 0), by kind; each is retried',
      labelNames: ['kind'] as const,
      registers,
    }),
    alertsSuppressed: new Counter({
      name: 'alerts_suppressed_total',
      help: 'Alerts held back by the per-minute cap of the webhook (folded into a summary), by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
    events: new Counter({
      name: 'log_events_total',
      help: 'Structured log events by name (anomalies: rejected callbacks, second payments, reviews…)',
      labelNames: ['event'] as const,
      registers,
    }),
  };
  for (const metric of [m.http.requestsMetric(), m.http.durationMetric()])
    registry.registerMetric(metric as unknown as Metric);
  new Gauge({
    name: 'process_uptime_seconds',
    help: 'Seconds since this API process started',
    registers,
    collect() {
      this.set((Date.now() - startedAt) / 1000);
    },
  });
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
