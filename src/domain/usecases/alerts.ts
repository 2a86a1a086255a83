import {
  type Alert,
  MAX_DELIVERY_ATTEMPTS,
  newStoredAlert,
  retryDelayMs,
  type StoredAlert,
  summaryAlert,
} from '../alert';
import type { AlertChannel, AlertOutbox, Clock, RateWindows } from '../ports';
import { minuteOf } from './checks';
import type { Deps } from './deps';

export interface AlertDeps {
  readonly alertOutbox: AlertOutbox;
  readonly rateWindows: RateWindows;
  readonly clock: Clock;
  readonly log: Deps['log'];
  /** Absent: alerts are recorded, logged and listed, not sent. */
  readonly alertChannel?: AlertChannel;
}

export interface DeliverySettings {
  /** Messages per minute the webhook takes, all instances together (WeCom: 20 per robot). */
  readonly perMinute: number;
  /** Pending alerts one pass reads at most. */
  readonly batch?: number;
}

/** The rate-window key of the webhook (one per deployment: every instance shares it). */
const WEBHOOK_WINDOW = 'alerts:webhook';

/** Stores the alert unless the same one (kind, key, hour) exists; the stored record when this call added it. */
export function recordAlert(deps: AlertDeps) {
  return async (alert: Alert): Promise<StoredAlert | null> => {
    const stored = newStoredAlert(alert, deps.clock.now(), deps.alertChannel !== undefined);
    if (!(await deps.alertOutbox.add(stored))) return null;
    deps.log('alert.raised', {
      alert_id: stored.id,
      kind: stored.kind,
      severity: stored.severity,
      title: stored.title,
      ...(deps.alertChannel ? {} : { webhook: 'none' }),
    });
    return stored;
  };
}

export interface DeliveryTally {
  sent: StoredAlert[];
  failed: StoredAlert[];
  suppressed: StoredAlert[];
  gaveUp: StoredAlert[];
}

/**
 * One delivery pass, safe on any number of instances at once:
 *  1. alerts the per-minute cap held back are folded into one summary alert (insert-unique per
 *     minute, so racing instances make one) — they stay listed as `summarized`;
 *  2. each pending alert that is due is claimed for this minute (a unique insert: one sender), given
 *     a slot of the webhook's per-minute budget (or `suppressed`), sent, and its outcome recorded; a
 *     failure is retried with back-off, and after about a day it is `failed` (still listed).
 * A claim lapses with its minute: the pending alerts of an instance that died are sent by another.
 */
export function deliverAlerts(deps: AlertDeps, settings: DeliverySettings) {
  const record = recordAlert(deps);
  return async (): Promise<DeliveryTally> => {
    const tally: DeliveryTally = { sent: [], failed: [], suppressed: [], gaveUp: [] };
    const channel = deps.alertChannel;
    if (!channel) return tally;
    const outbox = deps.alertOutbox;
    const suppressed = await outbox.listByState('suppressed', 100);
    if (suppressed.length > 0) {
      const summary = await record(summaryAlert(suppressed, deps.clock.now()));
      if (summary)
        for (const a of suppressed)
          await outbox.project(a.id, { state: 'summarized', summaryId: summary.id });
    }
    for (const alert of await outbox.listByState('pending', settings.batch ?? 100)) {
      const now = deps.clock.now();
      const minute = minuteOf(now);
      if (alert.nextAttemptAt > now || (await inFlightElsewhere(outbox, alert.id, minute))) continue;
      if (!(await outbox.claim(alert.id, minute, now))) continue;
      if (!(await deps.rateWindows.take(WEBHOOK_WINDOW, settings.perMinute, 60, now))) {
        await outbox.record({ alertId: alert.id, minute, stage: 'suppressed', at: now, error: null });
        // A summary is never held back itself: it waits for the next minute's budget.
        if (alert.kind === 'alerts_suppressed') continue;
        await outbox.project(alert.id, { state: 'suppressed' });
        tally.suppressed.push(alert);
        continue;
      }
      const sent = await channel.send(alert);
      const at = deps.clock.now();
      const attempts = alert.attempts + 1;
      if (sent.ok) {
        await outbox.record({ alertId: alert.id, minute, stage: 'sent', at, error: null });
        await outbox.project(alert.id, { state: 'sent', attempts, sentAt: at, lastError: null });
        tally.sent.push(alert);
        continue;
      }
      const error = sent.error.message.slice(0, 500);
      await outbox.record({ alertId: alert.id, minute, stage: 'failed', at, error });
      const gaveUp = attempts >= MAX_DELIVERY_ATTEMPTS;
      await outbox.project(alert.id, {
        attempts,
        lastError: error,
        ...(gaveUp
          ? { state: 'failed' }
          : { nextAttemptAt: new Date(at.getTime() + retryDelayMs(attempts)) }),
      });
      deps.log(gaveUp ? 'alert.delivery_gave_up' : 'alert.delivery_failed', {
        alert_id: alert.id,
        attempts,
        error,
      });
      (gaveUp ? tally.gaveUp : tally.failed).push(alert);
    }
    return tally;
  };
}

/**
 * True while the previous minute's claimer may still be sending (claimed, no outcome yet): a send
 * slower than the minute boundary must not be repeated by another instance. A claim older than that
 * is a crashed claimer's, and the alert is taken over.
 */
async function inFlightElsewhere(outbox: AlertOutbox, id: string, minute: number): Promise<boolean> {
  const previous = (await outbox.attempts(id)).filter((a) => a.minute === minute - 1);
  return previous.some((a) => a.stage === 'claim') && !previous.some((a) => a.stage !== 'claim');
}
