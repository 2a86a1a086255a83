/**
 * Alerts: what needs a human, sent to an operator's webhook (e.g. a WeCom group robot). An alert is
 * stored once per (kind, key, hour) by a unique insert, so the same thing raised again — by a
 * retry, a duplicate callback or another instance — within the hour sends nothing new.
 */
export type AlertKind =
  | 'second_payment'
  | 'payment_reused'
  | 'audit_violation'
  | 'statement_difference'
  | 'paid_not_completed'
  | 'review_queue'
  /** The summary of alerts the webhook's per-minute cap held back. */
  | 'alerts_suppressed';

const KIND_SET: Readonly<Record<AlertKind, true>> = {
  second_payment: true,
  payment_reused: true,
  audit_violation: true,
  statement_difference: true,
  paid_not_completed: true,
  review_queue: true,
  alerts_suppressed: true,
};

/** Every kind, complete by construction (a new kind that is not listed fails the typecheck). */
export const ALERT_KINDS = Object.keys(KIND_SET) as readonly AlertKind[];

export type AlertSeverity = 'critical' | 'warning';

export type AlertFacts = Readonly<Record<string, string | number | boolean | null>>;

export interface Alert {
  readonly kind: AlertKind;
  /** What it is about (an order, a date…): with the kind and the hour, the deduplication key. */
  readonly key: string;
  readonly severity: AlertSeverity;
  /** One line, zh-CN. */
  readonly title: string;
  /** What happened and what to do, zh-CN. */
  readonly text: string;
  readonly facts: AlertFacts;
  /** When it happened, which fixes its hour bucket; the moment it is raised when absent. */
  readonly at?: Date;
}

/**
 * `pending` waits for delivery; `sent` reached the webhook; `suppressed` was held back by the
 * per-minute cap and waits to be folded into a summary, `summarized` was; `failed` gave up after
 * every retry; `logged` was raised while no webhook was configured (logged and listed only).
 */
export type AlertState = 'pending' | 'sent' | 'suppressed' | 'summarized' | 'failed' | 'logged';
export const ALERT_STATES: readonly AlertState[] = [
  'pending',
  'sent',
  'suppressed',
  'summarized',
  'failed',
  'logged',
];

export interface StoredAlert extends Alert {
  /** `<kind>:<key>:<hour bucket>`. */
  readonly id: string;
  readonly at: Date;
  readonly raisedAt: Date;
  /** Projection for finding work by equality; the attempt records are the history. */
  readonly state: AlertState;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly sentAt: Date | null;
  /** The summary alert this one was folded into. */
  readonly summaryId: string | null;
}

/** Insert-only history of one delivery: the claim of a minute, then its outcome. */
export interface DeliveryAttempt {
  readonly alertId: string;
  /** Minutes since the epoch: one claim per alert and minute, so a crashed claimer blocks a minute at most. */
  readonly minute: number;
  readonly stage: 'claim' | 'sent' | 'failed' | 'suppressed';
  readonly at: Date;
  readonly error: string | null;
}

export type AlertPatch = Partial<
  Pick<StoredAlert, 'state' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'sentAt' | 'summaryId'>
>;

export const ALERT_BUCKET_MS = 60 * 60 * 1000;

export const alertId = (kind: AlertKind, key: string, at: Date): string =>
  `${kind}:${key}:${Math.floor(at.getTime() / ALERT_BUCKET_MS)}`;

/** The record of a newly raised alert: due at once when a webhook will deliver it. */
export function newStoredAlert(alert: Alert, now: Date, delivered: boolean): StoredAlert {
  const at = alert.at ?? now;
  return {
    ...alert,
    id: alertId(alert.kind, alert.key, at),
    at,
    raisedAt: now,
    state: delivered ? 'pending' : 'logged',
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    sentAt: null,
    summaryId: null,
  };
}

/** Minutes before the next try after `attempts` failed ones: about a day of retries in all. */
const RETRY_MINUTES = [1, 2, 5, 10, 30, 60] as const;
export const MAX_DELIVERY_ATTEMPTS = 28;
export const retryDelayMs = (attempts: number): number =>
  RETRY_MINUTES[Math.min(attempts - 1, RETRY_MINUTES.length - 1)]! * 60_000;

/** Titles listed in a summary; the rest are counted. */
const SUMMARY_TITLES = 10;

/** One message for the alerts the per-minute cap held back (they stay listed in the outbox). */
export function summaryAlert(suppressed: readonly StoredAlert[], now: Date): Alert {
  const minute = Math.floor(now.getTime() / 60_000);
  const lines = suppressed.slice(0, SUMMARY_TITLES).map((a) => `- ${a.title}`);
  const more = suppressed.length - lines.length;
  return {
    kind: 'alerts_suppressed',
    key: String(minute),
    severity: suppressed.some((a) => a.severity === 'critical') ? 'critical' : 'warning',
    title: `另有 ${suppressed.length} 条告警因频率限制未单独发送`,
    text: [
      ...lines,
      ...(more > 0 ? [`- ……及其他 ${more} 条`] : []),
      '完整内容见 GET /api/admin/alerts?state=summarized',
    ].join('\n'),
    facts: { count: suppressed.length },
  };
}
