import mongoose, { type Connection, Schema } from 'mongoose';
import type { AlertPatch, AlertState, DeliveryAttempt, StoredAlert } from '../../domain/alert';
import { hourOf } from '../../domain/figures';
import type { AlertOutbox, Page } from '../../domain/ports';
import { newestFirstBy } from '../../domain/time';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { expiryMinute, expiryPurger } from './expiry';
import { HourDirectory } from './hour-directory';

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
  /** hourOf(raised_at), read by equality by the list; absent on alerts stored before it (backfillList). */
  raised_hour?: number;
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
    raised_hour: { type: Number, index: true },
  },
  schemaOptions('alerts'),
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

/**
 * States an alert ends in, listed through the hour directory (`state:<s>`). `pending` and
 * `suppressed` last minutes (a day at most while the webhook fails): few alerts are in them at any
 * time, so their list is one equality read — an hour walk would visit every hour that ever held one.
 */
const FINAL = new Set<AlertState>(['sent', 'summarized', 'failed', 'logged']);
const kindsOf = (state: AlertState): string[] => (FINAL.has(state) ? ['all', `state:${state}`] : ['all']);
const BY_RAISED = { raised_at: -1, _id: -1 } as const;
const newestFirst = newestFirstBy<AlertDoc>(
  (d) => d.raised_at,
  (d) => d._id,
);

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
 * The list reads hour by hour through a directory (hour-directory.ts, alert_hours / alert_days).
 */
export class MongoAlertOutbox implements AlertOutbox {
  private readonly alerts;
  private readonly history;
  private readonly purgeAlerts;
  private readonly purgeHistory;
  private readonly hours;
  constructor(conn: Connection) {
    this.hours = new HourDirectory(conn, 'alert');
    this.alerts = modelOf<AlertDoc>(conn, 'Alert', alertSchema);
    this.history = modelOf<AttemptDoc>(conn, 'AlertAttempt', attemptSchema);
    this.purgeAlerts = expiryPurger(conn, 'alerts', this.alerts);
    this.purgeHistory = expiryPurger(conn, 'alert_attempts', this.history);
  }

  async add(a: StoredAlert): Promise<boolean> {
    const hour = hourOf(a.raisedAt);
    // Entered before the alert: a crash in between leaves an hour with nothing to list, not an alert unlisted.
    await this.hours.note(kindsOf(a.state), hour);
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
      raised_hour: hour,
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
    const { state } = filter;
    const listed = (!state || FINAL.has(state)) && (await this.hours.complete());
    const docs = listed
      ? await this.hours.page(state ? `state:${state}` : 'all', page, {
          inHour: (hour) => this.inHour(state, hour),
          countInHour: (hour) => this.alerts.countDocuments(this.hourFilter(state, hour)).exec(),
        })
      : await this.alerts
          .find(state ? { state } : {})
          .sort(BY_RAISED)
          .skip(page.skip)
          .limit(page.limit)
          .lean<AlertDoc[]>()
          .exec();
    return docs.map(toDomain);
  }

  private hourFilter(state: AlertState | undefined, hour: number) {
    return state ? { raised_hour: hour, state } : { raised_hour: hour };
  }

  /** One hour's alerts, newest first (sorted here: FerretDB would sort in Go all the same). */
  private async inHour(state: AlertState | undefined, hour: number): Promise<AlertDoc[]> {
    const docs = await this.alerts.find(this.hourFilter(state, hour)).lean<AlertDoc[]>().exec();
    return docs.sort(newestFirst);
  }

  async project(id: string, patch: AlertPatch): Promise<void> {
    const set: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(patch)) set[PATCH_FIELDS[k as keyof AlertPatch]] = v;
    if (patch.state && FINAL.has(patch.state)) {
      const doc = await this.alerts.findById(id, { raised_at: 1 }).lean<Pick<AlertDoc, 'raised_at'>>().exec();
      if (!doc) return;
      // The state's list is entered before the state is written; an alert stored before the directory
      // gets its hour here, as it leaves the states the backfill leaves to its delivery.
      const hour = hourOf(doc.raised_at);
      await this.hours.note(kindsOf(patch.state), hour);
      set.raised_hour = hour;
    }
    await this.alerts.updateOne({ _id: id }, { $set: set }).exec();
  }

  /**
   * Enters the alerts stored before the hour directory (no `raised_hour`), pass after pass until one
   * finds none; only then is the directory marked complete, and until then the list reads as before.
   * Alerts still `pending` or `suppressed` are left to their delivery, which writes their final state
   * with their hour: rewriting them here could undo that write (FerretDB writes an update as the whole
   * document it read). So a run that finds such alerts ends unfinished, to be run again later — unless
   * `delivering` is false (no webhook): then nothing else writes them and they are entered at once.
   */
  async backfillList(
    stop: () => boolean,
    opts: { readonly delivering: boolean } = { delivering: true },
  ): Promise<{ entered: number; waiting: number; finished: boolean }> {
    let entered = 0;
    if (await this.hours.complete()) return { entered, waiting: 0, finished: true };
    for (;;) {
      let found = 0;
      let waiting = 0;
      const missing = { raised_hour: mongoose.trusted({ $exists: false }) };
      const cursor = this.alerts
        .find(missing, { raised_at: 1, state: 1 })
        .lean<Pick<AlertDoc, '_id' | 'raised_at' | 'state'>>()
        .batchSize(1000)
        .cursor();
      for await (const raw of cursor) {
        if (stop()) return { entered: entered + found, waiting, finished: false };
        const doc = raw as Pick<AlertDoc, '_id' | 'raised_at' | 'state'>;
        if (!FINAL.has(doc.state) && opts.delivering) {
          waiting++;
          continue;
        }
        const hour = hourOf(doc.raised_at);
        await this.hours.note(kindsOf(doc.state), hour);
        await this.alerts.updateOne({ _id: doc._id }, { $set: { raised_hour: hour } }).exec();
        found++;
      }
      entered += found;
      if (found > 0) continue;
      if (waiting > 0) return { entered, waiting, finished: false };
      await this.hours.markComplete();
      return { entered, waiting, finished: true };
    }
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
    // The purge works off a backlog over several passes: an hour is forgotten once it is empty — of
    // alerts with their hour, so not before every alert has one (the backfill's end).
    if (!(await this.hours.complete())) return;
    await this.hours.forgetBefore(
      hourOf(before),
      async (hour) => (await this.alerts.exists({ raised_hour: hour }).exec()) !== null,
    );
  }
}
