import { type Connection, Schema } from 'mongoose';
import type { AlertPatch, AlertState, DeliveryAttempt, StoredAlert } from '../../domain/alert';
import type { AlertOutbox, Page } from '../../domain/ports';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { expiryMinute, expiryPurger } from './expiry';

interface AlertDoc {
  _id: string;
  kind: StoredAlert['kind'];
  key: string;
  severity: StoredAlert['severity'];
  title: string;
  text: string;
  facts: StoredAlert['facts'];
  at: Date;
  raised_at: Date;
  state: AlertState;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  sent_at: Date | null;
  summary_id: string | null;
  /** The minute after `raised_at` (expiry.ts): housekeeping deletes by equality on it. */
  exp: number;
}

const alertSchema = new Schema<AlertDoc>(
  {
    _id: String,
    kind: { type: String, required: true },
    key: { type: String, required: true },
    severity: { type: String, required: true },
    title: { type: String, required: true },
    text: { type: String, default: '' },
    // Read back whole, never queried.
    facts: { type: Schema.Types.Mixed, default: {} },
    at: { type: Date, required: true },
    raised_at: { type: Date, required: true },
    state: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    next_attempt_at: { type: Date, required: true },
    last_error: { type: String, default: null },
    sent_at: { type: Date, default: null },
    summary_id: { type: String, default: null },
    exp: { type: Number, required: true, index: true },
  },
  { ...schemaOptions('alerts'), minimize: false },
);
alertSchema.index({ state: 1, raised_at: 1 });
alertSchema.index({ raised_at: -1, _id: -1 });

interface AttemptDoc {
  _id: string;
  alert_id: string;
  minute: number;
  stage: DeliveryAttempt['stage'];
  at: Date;
  error: string | null;
  exp: number;
}

const attemptSchema = new Schema<AttemptDoc>(
  {
    _id: String,
    alert_id: { type: String, required: true, index: true },
    minute: { type: Number, required: true },
    stage: { type: String, required: true },
    at: { type: Date, required: true },
    error: { type: String, default: null },
    exp: { type: Number, required: true, index: true },
  },
  schemaOptions('alert_attempts'),
);

const toDomain = (d: AlertDoc): StoredAlert => ({
  id: d._id,
  kind: d.kind,
  key: d.key,
  severity: d.severity,
  title: d.title,
  text: d.text,
  facts: d.facts ?? {},
  at: d.at,
  raisedAt: d.raised_at,
  state: d.state,
  attempts: d.attempts,
  nextAttemptAt: d.next_attempt_at,
  lastError: d.last_error,
  sentAt: d.sent_at,
  summaryId: d.summary_id,
});

const PATCH_FIELDS: Record<keyof AlertPatch, keyof AlertDoc> = {
  state: 'state',
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  lastError: 'last_error',
  sentAt: 'sent_at',
  summaryId: 'summary_id',
};

/**
 * `alerts` `_id` = `<kind>:<key>:<hour>`: the unique insert is the deduplication across repeats and
 * instances. `alert_attempts` is insert-only: `<alert>@<minute>` claims a minute's delivery (one
 * sender), `<alert>@<minute>:<stage>` records its outcome. `state` is a projection for finding work.
 */
export class MongoAlertOutbox implements AlertOutbox {
  private readonly alerts;
  private readonly history;
  private readonly purgeAlerts;
  private readonly purgeHistory;
  constructor(conn: Connection) {
    this.alerts = modelOf<AlertDoc>(conn, 'Alert', alertSchema);
    this.history = modelOf<AttemptDoc>(conn, 'AlertAttempt', attemptSchema);
    this.purgeAlerts = expiryPurger(conn, 'alerts', this.alerts);
    this.purgeHistory = expiryPurger(conn, 'alert_attempts', this.history);
  }

  add(a: StoredAlert): Promise<boolean> {
    return insertOnce(this.alerts, {
      _id: a.id,
      kind: a.kind,
      key: a.key,
      severity: a.severity,
      title: a.title,
      text: a.text,
      facts: a.facts,
      at: a.at,
      raised_at: a.raisedAt,
      state: a.state,
      attempts: a.attempts,
      next_attempt_at: a.nextAttemptAt,
      last_error: a.lastError,
      sent_at: a.sentAt,
      summary_id: a.summaryId,
      exp: expiryMinute(a.raisedAt.getTime()),
    });
  }

  async find(id: string): Promise<StoredAlert | null> {
    const doc = await this.alerts.findById(id).lean<AlertDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  async listByState(state: AlertState, limit: number): Promise<StoredAlert[]> {
    const docs = await this.alerts
      .find({ state })
      .sort({ raised_at: 1, _id: 1 })
      .limit(limit)
      .lean<AlertDoc[]>()
      .exec();
    return docs.map(toDomain);
  }

  async list(filter: { readonly state?: AlertState }, page: Page): Promise<StoredAlert[]> {
    const docs = await this.alerts
      .find(filter.state ? { state: filter.state } : {})
      .sort({ raised_at: -1, _id: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<AlertDoc[]>()
      .exec();
    return docs.map(toDomain);
  }

  async project(id: string, patch: AlertPatch): Promise<void> {
    const set: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(patch)) set[PATCH_FIELDS[k as keyof AlertPatch]] = v;
    await this.alerts.updateOne({ _id: id }, { $set: set }).exec();
  }

  claim(id: string, minute: number, at: Date): Promise<boolean> {
    return insertOnce(this.history, {
      _id: `${id}@${minute}`,
      alert_id: id,
      minute,
      stage: 'claim',
      at,
      exp: expiryMinute(at.getTime()),
    });
  }

  async record(a: DeliveryAttempt): Promise<void> {
    await insertOnce(this.history, {
      _id: `${a.alertId}@${a.minute}:${a.stage}`,
      alert_id: a.alertId,
      minute: a.minute,
      stage: a.stage,
      at: a.at,
      error: a.error,
      exp: expiryMinute(a.at.getTime()),
    });
  }

  async attempts(id: string): Promise<DeliveryAttempt[]> {
    const docs = await this.history.find({ alert_id: id }).lean<AttemptDoc[]>().exec();
    return docs.map((d) => ({
      alertId: d.alert_id,
      minute: d.minute,
      stage: d.stage,
      at: d.at,
      error: d.error,
    }));
  }

  /** Records carry their own minute as `exp`; purging "up to `before`" is the expiry purge run at it. */
  async purge(before: Date): Promise<void> {
    await this.purgeAlerts(before);
    await this.purgeHistory(before);
  }
}
