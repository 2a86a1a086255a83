import type { Payments } from '../../domain/payment';
import type { Ledger, Orders, Refunds, ShippingInfo, StatusChanges } from '../../domain/ports';
import type { Result } from '../../domain/result';
import type { DifferenceKind } from '../../domain/statement';
import type { Metrics } from './registry';

/**
 * The business counters, taken at the ports in the composition root: the domain stays untouched,
 * and each count follows the insert-unique record that makes the event happen once (a status
 * change, a refund event, an order), so duplicate callbacks and retries never count twice.
 */
export interface Instrumented {
  readonly orders: Orders;
  readonly statusChanges: StatusChanges;
  readonly refunds: Refunds;
  readonly ledger: Ledger;
  readonly payments: Payments;
}

/** `target` with some methods replaced; the rest are the target's own, bound to it. */
function override<T extends object>(target: T, methods: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (prop in methods) return (methods as Record<PropertyKey, unknown>)[prop];
      const v = Reflect.get(t, prop, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

const OPERATIONS = ['createPayment', 'query', 'close', 'refund', 'queryRefund'] as const;

function timedPayments(payments: Payments, m: Metrics): Payments {
  const timed: Partial<Payments> = {};
  for (const op of OPERATIONS) {
    const call = (arg: never) =>
      (payments[op] as (a: never) => Promise<Result<unknown, { kind: string }>>).call(payments, arg);
    (timed as Record<string, unknown>)[op] = async (arg: never) => {
      const end = m.providerDuration.startTimer({ operation: op });
      try {
        const r = await call(arg);
        m.providerCalls.inc({ operation: op, result: r.ok ? 'ok' : r.error.kind });
        return r;
      } catch (e) {
        m.providerCalls.inc({ operation: op, result: 'exception' });
        throw e;
      } finally {
        end();
      }
    };
  }
  return override(payments, timed);
}

export function instrument(ports: Instrumented, m: Metrics): Instrumented {
  const { orders, statusChanges, refunds, ledger } = ports;
  return {
    orders: override(orders, {
      async create(order) {
        const created = await orders.create(order);
        m.ordersCreated.inc();
        return created;
      },
    }),
    statusChanges: override(statusChanges, {
      async record(change) {
        const recorded = await statusChanges.record(change);
        if (recorded) m.orderStatus.inc({ status: change.status });
        return recorded;
      },
    }),
    refunds: override(refunds, {
      async claim(attempt) {
        const r = await refunds.claim(attempt);
        if (r.created) m.refunds.inc({ state: 'requested' });
        return r;
      },
      async record(event) {
        const r = await refunds.record(event);
        if (r.created) m.refunds.inc({ state: event.stage === 'final' ? event.outcome : 'processing' });
        return r;
      },
    }),
    ledger: override(ledger, {
      async insert(entry) {
        const r = await ledger.insert(entry);
        if (r === 'duplicate') m.ledgerConflicts.inc();
        return r;
      },
    }),
    payments: timedPayments(ports.payments, m),
  };
}

const DIFFERENCE_KINDS: readonly DifferenceKind[] = [
  'missing_here',
  'missing_there',
  'amount_mismatch',
  'refund_missing_here',
  'refund_missing_there',
  'refund_amount_mismatch',
];

/** Callback routes: their rejections are logged with a reason, which the event counter reads. */
const REJECTIONS: Record<string, string> = {
  'callback.rejected': '/api/orders/callback',
  'wechatpay.notify_rejected': '/api/orders/notify/wechatpay',
  'refund_callback.rejected': '/api/orders/callback/refund',
  'wechatpay.refund_notify_rejected': '/api/orders/notify/wechatpay/refund',
};

/** Counts what the `deps.log` events already name: every event, rejections by reason, sweeper runs. */
export const countEvents =
  (m: Metrics) =>
  (event: string, fields: Record<string, unknown>): void => {
    if (event === 'http.access') return;
    m.events.inc({ event });
    const route = REJECTIONS[event];
    if (route)
      m.notifications.inc({ route, outcome: 'rejected', reason: String(fields.reason ?? 'unknown') });
    else if (event === 'statement.reconciled') m.statementRuns.inc({ result: 'clean' });
    else if (event === 'statement.failed') m.statementRuns.inc({ result: 'failed' });
    else if (event === 'statement.differences') {
      m.statementRuns.inc({ result: 'differences' });
      for (const kind of DIFFERENCE_KINDS) {
        const n = fields[kind];
        if (typeof n === 'number' && n > 0) m.statementDifferences.inc({ kind }, n);
      }
    }
  };

/** Accepted notifications are the callback routes' 2xx answers, seen by the access hook. */
export const CALLBACK_ROUTES: ReadonlySet<string> = new Set(Object.values(REJECTIONS));

export interface SweepTally {
  readonly completed: number;
  readonly cancelled: number;
  readonly stillPending: number;
  readonly unresolved: number;
  readonly deferred: number;
  readonly reviews: number;
}

export function countSweep(m: Metrics, tally: SweepTally | undefined): void {
  if (!tally) {
    m.sweeperRuns.inc({ result: 'failed' });
    return;
  }
  m.sweeperRuns.inc({ result: 'ok' });
  for (const [verdict, n] of Object.entries(tally)) if (n > 0) m.sweeperChecks.inc({ verdict }, n);
}

/** The per-request part: one lookup and a few increments (http-stats.ts). */
export const observeRequests =
  (m: Metrics) =>
  (method: string, route: string, status: number, seconds: number): void => {
    m.http.observe(method, route, status, seconds);
    if (status < 300 && CALLBACK_ROUTES.has(route))
      m.notifications.inc({ route, outcome: 'accepted', reason: '' });
  };

/** Counts every upload_shipping_info call by its result. */
export function countShipping(info: ShippingInfo, m: Metrics): ShippingInfo {
  return {
    async upload(request) {
      try {
        const r = await info.upload(request);
        m.shippingUploads.inc({ result: r.kind });
        return r;
      } catch (e) {
        m.shippingUploads.inc({ result: 'exception' });
        throw e;
      }
    },
  };
}
